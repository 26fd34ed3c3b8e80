package org.scrim.engine.statement;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The IPTC/PLUS "Data Mining" vocabulary (IPTC Photo Metadata 2023.1, property {@code plus:DataMining}). Each value is
 * stored in the file as the full vocabulary URI.
 */
public enum DataMining {
    UNSPECIFIED("DMI-UNSPECIFIED"),
    ALLOWED("DMI-ALLOWED"),
    PROHIBITED_AI_ML_TRAINING("DMI-PROHIBITED-AIMLTRAINING"),
    PROHIBITED_GEN_AI_ML_TRAINING("DMI-PROHIBITED-GENAIMLTRAINING"),
    PROHIBITED_EXCEPT_SEARCH_ENGINE_INDEXING("DMI-PROHIBITED-EXCEPTSEARCHENGINEINDEXING"),
    PROHIBITED("DMI-PROHIBITED"),
    /** Prohibited; the conditions are in {@code plus:OtherConstraints}, which must then be given. */
    PROHIBITED_SEE_CONSTRAINT("DMI-PROHIBITED-SEECONSTRAINT"),
    PROHIBITED_SEE_EMBEDDED_RIGHTS_EXPRESSION("DMI-PROHIBITED-SEEEMBEDDEDRIGHTSEXPR"),
    PROHIBITED_SEE_LINKED_RIGHTS_EXPRESSION("DMI-PROHIBITED-SEELINKEDRIGHTSEXPR");

    public static final String VOCABULARY = "http://ns.useplus.org/ldf/vocab/";

    private final String code;

    DataMining(String code) {
        this.code = code;
    }

    /** The vocabulary code, e.g. {@code DMI-PROHIBITED-AIMLTRAINING}. */
    public String code() {
        return code;
    }

    /** The value written to {@code plus:DataMining}. */
    public String uri() {
        return VOCABULARY + code;
    }

    /** Accepts a vocabulary code ({@code DMI-PROHIBITED}), the same without the prefix, or the full URI. */
    public static DataMining parse(String value) {
        String v = value.strip();
        if (v.startsWith(VOCABULARY)) {
            v = v.substring(VOCABULARY.length());
        }
        String upper = v.toUpperCase(Locale.ROOT);
        String code = upper.startsWith("DMI-") ? upper : "DMI-" + upper;
        for (DataMining d : values()) {
            if (d.code.equals(code)) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown data-mining value '" + value + "'; expected one of " + codes());
    }

    /** The value for a URI read from a file, or null when the URI is not in this vocabulary. */
    public static DataMining fromUri(String uri) {
        return Arrays.stream(values()).filter(d -> d.uri().equals(uri.strip())).findFirst().orElse(null);
    }

    public static String codes() {
        return Arrays.stream(values()).map(DataMining::code).collect(Collectors.joining(", "));
    }
}
