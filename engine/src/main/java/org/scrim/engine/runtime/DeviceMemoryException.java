package org.scrim.engine.runtime;

/**
 * A graph does not fit the memory of the device it was meant for (or the share of it {@link RuntimeOptions} allows).
 * Callers that can do the work in smaller pieces catch it and do so; the message says what was needed.
 */
public class DeviceMemoryException extends IllegalStateException {
    public DeviceMemoryException(String message, Throwable cause) {
        super(message, cause);
    }

    public DeviceMemoryException(String message) {
        super(message);
    }
}
