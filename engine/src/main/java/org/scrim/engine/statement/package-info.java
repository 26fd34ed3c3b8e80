/**
 * What a protected file states: the IPTC data-mining value, the rights fields around it and Scrim's provenance.
 * Both carriers of the statement read it from here, {@code metadata} (XMP) and {@code c2pa} (the signed manifest);
 * this package imports neither, and {@code c2pa} does not import {@code metadata} (only the reverse, to sign).
 */
package org.scrim.engine.statement;
