package org.scrim.engine.statement;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;

/**
 * What to write into an image: the IPTC data-mining statement plus the rights fields that make it meaningful.
 * Optional text fields are null when not given; they are then left as the input has them.
 *
 * @param dataMining       written to {@code plus:DataMining}
 * @param otherConstraints free text for {@code plus:OtherConstraints}; required with
 *                         {@link DataMining#PROHIBITED_SEE_CONSTRAINT}
 * @param creators         written to {@code dc:creator} when not empty
 * @param rights           copyright notice for {@code dc:rights}
 * @param webStatement     URL of the rights statement for {@code xmpRights:WebStatement}
 * @param provenance       what Scrim did, written to the {@code scrim} namespace
 */
public record NoAiTags(DataMining dataMining, String otherConstraints, List<String> creators, String rights,
                       String webStatement, Provenance provenance) {

    public NoAiTags {
        if (dataMining == null) {
            throw new IllegalArgumentException("a data-mining value is required");
        }
        if (provenance == null) {
            throw new IllegalArgumentException("provenance is required (Provenance.metadataOnly() when only tagging)");
        }
        creators = creators == null ? List.of() : List.copyOf(creators);
        if (creators.stream().anyMatch(String::isBlank)) {
            throw new IllegalArgumentException("a creator name is blank");
        }
        otherConstraints = blankToNull(otherConstraints);
        rights = blankToNull(rights);
        webStatement = blankToNull(webStatement);
        if (dataMining == DataMining.PROHIBITED_SEE_CONSTRAINT && otherConstraints == null) {
            throw new IllegalArgumentException(dataMining.code() + " refers to the other constraints: give them too");
        }
        if (webStatement != null) {
            requireAbsoluteUrl(webStatement);
        }
    }

    /** The default statement: AI/ML training prohibited, nothing else. */
    public static NoAiTags prohibitAiTraining(Provenance provenance) {
        return new NoAiTags(DataMining.PROHIBITED_AI_ML_TRAINING, null, List.of(), null, null, provenance);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    private static void requireAbsoluteUrl(String url) {
        try {
            if (!new URI(url).isAbsolute()) {
                throw new IllegalArgumentException("web statement '" + url + "' is not an absolute URL");
            }
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("web statement '" + url + "' is not a URL: " + e.getMessage(), e);
        }
    }
}
