package org.scrim.engine.c2pa;

import java.util.LinkedHashMap;
import java.util.Map;
import org.scrim.engine.statement.DataMining;

/**
 * The CAWG training-and-data-mining assertion ({@code cawg.training-mining}, CAWG Training and Data Mining Assertion
 * 1.1; labels as in c2pa-rs 2026-11-30): one entry per use, each {@code allowed}, {@code notAllowed} or
 * {@code constrained} (with {@code constraint_info}).
 *
 * <p>It is derived from the IPTC value the file also carries in XMP, so the two never disagree:
 * <ul>
 * <li>{@code DMI-PROHIBITED-AIMLTRAINING} (Scrim's default), {@code DMI-PROHIBITED},
 *     {@code DMI-PROHIBITED-EXCEPTSEARCHENGINEINDEXING}: all four uses notAllowed (inference and data mining are how
 *     a model is steered by or learns from an image without training on it; search indexing has no CAWG entry);</li>
 * <li>{@code DMI-PROHIBITED-GENAIMLTRAINING}: generative training notAllowed, the others not stated;</li>
 * <li>{@code DMI-PROHIBITED-SEE*}: all four constrained, pointing at the constraints;</li>
 * <li>{@code DMI-ALLOWED}: all allowed; {@code DMI-UNSPECIFIED}: no assertion.</li>
 * </ul>
 */
public final class TrainingMining {
    public static final String LABEL = "cawg.training-mining";
    public static final String AI_TRAINING = "cawg.ai_training";
    public static final String AI_GENERATIVE_TRAINING = "cawg.ai_generative_training";
    public static final String DATA_MINING = "cawg.data_mining";
    public static final String AI_INFERENCE = "cawg.ai_inference";
    public static final String NOT_ALLOWED = "notAllowed";
    private static final String[] USES = {AI_TRAINING, AI_GENERATIVE_TRAINING, DATA_MINING, AI_INFERENCE};

    private TrainingMining() {}

    /** Use -> value ("notAllowed", ...), in writing order; empty when the IPTC value says nothing. */
    static Map<String, String> entries(DataMining dataMining) {
        Map<String, String> entries = new LinkedHashMap<>();
        String all = switch (dataMining) {
            case UNSPECIFIED -> null;
            case ALLOWED -> "allowed";
            case PROHIBITED_GEN_AI_ML_TRAINING -> null;
            case PROHIBITED_SEE_CONSTRAINT, PROHIBITED_SEE_EMBEDDED_RIGHTS_EXPRESSION,
                    PROHIBITED_SEE_LINKED_RIGHTS_EXPRESSION -> "constrained";
            case PROHIBITED_AI_ML_TRAINING, PROHIBITED, PROHIBITED_EXCEPT_SEARCH_ENGINE_INDEXING -> NOT_ALLOWED;
        };
        if (dataMining == DataMining.PROHIBITED_GEN_AI_ML_TRAINING) {
            entries.put(AI_GENERATIVE_TRAINING, NOT_ALLOWED);
        } else if (all != null) {
            for (String use : USES) {
                entries.put(use, all);
            }
        }
        return entries;
    }

    /** The text a constrained entry points to. */
    static String constraintInfo(DataMining dataMining, String otherConstraints) {
        return switch (dataMining) {
            case PROHIBITED_SEE_CONSTRAINT -> otherConstraints;
            case PROHIBITED_SEE_EMBEDDED_RIGHTS_EXPRESSION -> "see the rights expression embedded in this file";
            case PROHIBITED_SEE_LINKED_RIGHTS_EXPRESSION -> "see the rights expression linked from this file";
            default -> null;
        };
    }
}
