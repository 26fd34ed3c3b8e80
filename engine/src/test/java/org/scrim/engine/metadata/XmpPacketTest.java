package org.scrim.engine.metadata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.scrim.engine.statement.DataMining;
import org.scrim.engine.statement.NoAiTags;
import org.scrim.engine.statement.Provenance;

class XmpPacketTest {
    private static final NoAiTags TAGS = new NoAiTags(DataMining.PROHIBITED, null, List.of("A"), null, null,
            Provenance.metadataOnly());

    @Test
    void attributeFormPropertiesAreReplacedAndOthersKept() throws IOException {
        // Compact RDF as some tools write it: properties as attributes, a bare rdf:RDF root, an rdf:about id.
        XmpPacket xmp = XmpPacket.parse("\uFEFF <rdf:RDF xmlns:rdf='" + XmpPacket.RDF_NS + "'>"
                + "<rdf:Description rdf:about='uuid:1' xmlns:plus='" + XmpPacket.PLUS_NS + "'"
                + " xmlns:tiff='http://ns.adobe.com/tiff/1.0/' plus:DataMining='" + DataMining.ALLOWED.uri() + "'"
                + " tiff:Make='Canon'/></rdf:RDF>\u0000\u0000");
        xmp.apply(TAGS);
        String out = xmp.serialize();

        XmpPacket back = XmpPacket.parse(out);
        assertEquals(DataMining.PROHIBITED.uri(), back.simple(XmpPacket.PLUS_NS, "DataMining").orElseThrow());
        assertEquals("Canon", back.simple("http://ns.adobe.com/tiff/1.0/", "Make").orElseThrow());
        assertFalse(out.contains(DataMining.ALLOWED.uri()), out);
        assertTrue(out.startsWith("<?xpacket begin=\"\uFEFF\""), out);
        assertTrue(out.contains("<x:xmpmeta"), "a bare rdf:RDF is wrapped in x:xmpmeta: " + out);
        assertEquals(out.split("rdf:about=\"uuid:1\"", -1).length - 1, out.split("rdf:about=", -1).length - 1,
                "every description must describe the same resource: " + out);
    }

    @Test
    void langAltPrefersXDefault() throws IOException {
        XmpPacket xmp = XmpPacket.parse("<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF xmlns:rdf='"
                + XmpPacket.RDF_NS + "'><rdf:Description rdf:about='' xmlns:dc='" + XmpPacket.DC_NS + "'>"
                + "<dc:rights><rdf:Alt><rdf:li xml:lang='de'>Alle Rechte</rdf:li>"
                + "<rdf:li xml:lang='x-default'>All rights</rdf:li></rdf:Alt></dc:rights>"
                + "</rdf:Description></rdf:RDF></x:xmpmeta>");
        assertEquals("All rights", xmp.langAlt(XmpPacket.DC_NS, "rights").orElseThrow());
    }

    @Test
    void entitiesAndGarbageAreRefused() {
        IOException e = assertThrows(IOException.class, () -> XmpPacket.parse(
                "<!DOCTYPE r [<!ENTITY x SYSTEM 'file:///etc/hostname'>]><r>&x;</r>"));
        assertTrue(e.getMessage().contains("DOCTYPE"), e.getMessage());
        assertThrows(IOException.class, () -> XmpPacket.parse("<x:xmpmeta xmlns:x='adobe:ns:meta/'/>"));
        assertThrows(IOException.class, () -> XmpPacket.parse("not xml"));
    }

    /** 5000 nested elements in 60 KB: refused as too deep, not a StackOverflowError that stops a batch. */
    @Test
    void deeplyNestedPacketsAreRefused() {
        IOException e = assertThrows(IOException.class, () -> {
            XmpPacket xmp = XmpPacket.parse(packetNested(5000));
            xmp.apply(TAGS);
            xmp.serialize();
        });
        assertTrue(e.getMessage().contains("deeper than " + XmpPacket.MAX_DEPTH), e.getMessage());
    }

    /** Serialised without indentation: nesting within the bound must not grow the packet quadratically. */
    @Test
    void packetsStayCompact() throws IOException {
        String in = packetNested(XmpPacket.MAX_DEPTH - 8);
        XmpPacket xmp = XmpPacket.parse(in);
        xmp.apply(TAGS);
        String out = xmp.serialize();
        assertTrue(out.length() < in.length() + 1500, out.length() + " chars from " + in.length() + ": " + out);
        assertEquals(out, XmpPacket.parse(out).serialize(), "a packet read back and written again is unchanged");
    }

    /** A packet whose one property nests {@code depth} elements in all (rdf:Bag/rdf:li/rdf:Description...). */
    private static String packetNested(int depth) {
        StringBuilder open = new StringBuilder("<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF xmlns:rdf='"
                + XmpPacket.RDF_NS + "'><rdf:Description rdf:about='' xmlns:e='urn:e/'><e:p>");
        StringBuilder close = new StringBuilder("</e:p></rdf:Description></rdf:RDF></x:xmpmeta>");
        for (int d = 5; d < depth; d++) {
            open.append("<e:n>");
            close.insert(0, "</e:n>");
        }
        return open.append("leaf").append(close).toString();
    }

    @Test
    void dataMiningValuesParseFromCodeOrUri() {
        assertEquals(DataMining.PROHIBITED_AI_ML_TRAINING, DataMining.parse("dmi-prohibited-aimltraining"));
        assertEquals(DataMining.PROHIBITED, DataMining.parse("PROHIBITED"));
        assertEquals(DataMining.ALLOWED, DataMining.parse("http://ns.useplus.org/ldf/vocab/DMI-ALLOWED"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DataMining.parse("no"));
        assertTrue(e.getMessage().contains("DMI-PROHIBITED-AIMLTRAINING"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new NoAiTags(DataMining.PROHIBITED_SEE_CONSTRAINT, " ",
                List.of(), null, null, Provenance.metadataOnly()));
    }
}
