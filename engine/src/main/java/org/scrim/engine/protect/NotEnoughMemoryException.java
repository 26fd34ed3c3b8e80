package org.scrim.engine.protect;

/** An image too large for the memory Java may use, refused before the work with what it needs and what to do. */
public class NotEnoughMemoryException extends RuntimeException {
    public NotEnoughMemoryException(String message) {
        super(message);
    }
}
