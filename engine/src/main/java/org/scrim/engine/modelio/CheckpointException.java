package org.scrim.engine.modelio;

/** A model file that cannot be read safely: the message says what is wrong with it. */
public class CheckpointException extends RuntimeException {
    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
