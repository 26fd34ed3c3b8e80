package org.scrim.engine.metadata;

import java.util.List;
import org.scrim.engine.statement.DataMining;
import org.scrim.engine.statement.Provenance;

/**
 * The rights statement found in an image. Text fields are null where the file does not have them.
 *
 * @param container        the file's container format
 * @param hasXmp           whether the file carries an XMP packet at all
 * @param dataMiningUri    the raw {@code plus:DataMining} value
 * @param dataMining       that value in the IPTC vocabulary, or null when absent or not a vocabulary URI
 * @param otherConstraints {@code plus:OtherConstraints}
 * @param creators         {@code dc:creator}, empty when absent
 * @param rights           {@code dc:rights}
 * @param marked           {@code xmpRights:Marked}, null when absent
 * @param webStatement     {@code xmpRights:WebStatement}
 * @param provenance       Scrim's note, or null when Scrim did not write this file
 */
public record EmbeddedTags(ImageContainer container, boolean hasXmp, String dataMiningUri, DataMining dataMining,
                           String otherConstraints, List<String> creators, String rights, Boolean marked,
                           String webStatement, Provenance provenance) {

    static EmbeddedTags none(ImageContainer container) {
        return new EmbeddedTags(container, false, null, null, null, List.of(), null, null, null, null);
    }

    static EmbeddedTags from(ImageContainer container, XmpPacket xmp) {
        String dm = xmp.simple(XmpPacket.PLUS_NS, "DataMining").orElse(null);
        Provenance provenance = Provenance.fromProperties(name -> xmp.simple(XmpPacket.SCRIM_NS, name));
        return new EmbeddedTags(container, true, dm, dm == null ? null : DataMining.fromUri(dm),
                xmp.langAlt(XmpPacket.PLUS_NS, "OtherConstraints").orElse(null),
                List.copyOf(xmp.list(XmpPacket.DC_NS, "creator")),
                xmp.langAlt(XmpPacket.DC_NS, "rights").orElse(null),
                xmp.simple(XmpPacket.XMP_RIGHTS_NS, "Marked").map(Boolean::parseBoolean).orElse(null),
                xmp.simple(XmpPacket.XMP_RIGHTS_NS, "WebStatement").orElse(null),
                provenance);
    }

    /** Whether the file says AI/ML training is not allowed (any of the vocabulary's prohibitions). */
    public boolean prohibitsAiTraining() {
        return dataMining != null && dataMining.name().startsWith("PROHIBITED");
    }
}
