package org.scrim.engine.metadata;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.scrim.engine.imageio.PngInflation;
import org.scrim.engine.statement.DataMining;
import org.scrim.engine.statement.NoAiTags;
import org.w3c.dom.Attr;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.w3c.dom.ProcessingInstruction;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

/**
 * An XMP packet as a DOM: parsed securely from a file's existing packet (or started empty), with Scrim's properties
 * merged in, and serialised back. Properties Scrim does not write are left exactly where they were.
 *
 * <p>Scrim's own provenance goes into the {@value #SCRIM_NS} namespace (prefix {@code scrim}: Protection, Preset,
 * Model, Version). {@code xmp:CreatorTool} is left alone: it names the application that made the picture.
 */
final class XmpPacket {
    static final String X_NS = "adobe:ns:meta/";
    static final String RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
    static final String PLUS_NS = "http://ns.useplus.org/ldf/xmp/1.0/";
    static final String DC_NS = "http://purl.org/dc/elements/1.1/";
    static final String XMP_RIGHTS_NS = "http://ns.adobe.com/xap/1.0/rights/";
    static final String SCRIM_NS = "urn:scrim:xmp:provenance:1.0/";
    private static final String XML_NS = XMLConstants.XML_NS_URI;
    private static final String PACKET_ID = "W5M0MpCehiHzreSzNTczkc9d";
    /** Deepest element nesting read; real packets nest about ten levels (history lists of structures). */
    static final int MAX_DEPTH = 64;
    /** Largest packet read, the same bound as for compressed PNG metadata; JPEG packets are at most 64 KB. */
    static final int MAX_CHARS = PngInflation.MAX_INFLATED_BYTES;
    private static final String MAX_DEPTH_PROPERTY = "http://www.oracle.com/xml/jaxp/properties/maxElementDepth";

    private final Document doc;
    private final Element rdf;

    private XmpPacket(Document doc, Element rdf) {
        this.doc = doc;
        this.rdf = rdf;
    }

    static XmpPacket empty() {
        Document doc = newBuilder().newDocument();
        Element meta = doc.createElementNS(X_NS, "x:xmpmeta");
        doc.appendChild(meta);
        Element rdf = doc.createElementNS(RDF_NS, "rdf:RDF");
        meta.appendChild(rdf);
        return new XmpPacket(doc, rdf);
    }

    /** Parses a packet with DOCTYPEs (and so external entities) refused, and its size and depth bounded. */
    static XmpPacket parse(String xml) throws IOException {
        if (xml.length() > MAX_CHARS) {
            throw new IOException("existing XMP packet has " + xml.length() + " characters, more than the "
                    + (MAX_CHARS >> 20) + " Mi Scrim reads; refusing it");
        }
        // Packets may carry a leading BOM and trailing NUL padding (TIFF), neither of which is XML.
        String text = xml.replaceFirst("^[\\uFEFF\\s]+", "").replaceFirst("[\\u0000\\s]+$", "");
        Document doc;
        try {
            doc = newBuilder().parse(new InputSource(new StringReader(text)));
        } catch (SAXException e) {
            if (String.valueOf(e.getMessage()).contains("maxElementDepth")) { // the JDK's limit, by its name
                throw new IOException("existing XMP packet nests elements deeper than " + MAX_DEPTH
                        + " levels; refusing it", e);
            }
            throw new IOException("existing XMP packet is not well-formed XML: " + e.getMessage(), e);
        }
        NodeList rdfs = doc.getElementsByTagNameNS(RDF_NS, "RDF");
        if (rdfs.getLength() != 1) {
            throw new IOException("existing XMP packet has " + rdfs.getLength() + " rdf:RDF elements, expected one");
        }
        Element root = doc.getDocumentElement();
        if (!X_NS.equals(root.getNamespaceURI())) {
            // A bare rdf:RDF is legal in old files; wrap it so the output is a standard packet.
            Element meta = doc.createElementNS(X_NS, "x:xmpmeta");
            doc.replaceChild(meta, root);
            meta.appendChild(root);
        }
        return new XmpPacket(doc, (Element) rdfs.item(0));
    }

    private static DocumentBuilder newBuilder() {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setXIncludeAware(false);
            f.setExpandEntityReferences(false);
            // The DOM is walked recursively (here and by the serialiser): depth is bounded while parsing.
            f.setAttribute(MAX_DEPTH_PROPERTY, MAX_DEPTH);
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(null);
            return b;
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("the JDK's XML parser lacks secure-processing features", e);
        }
    }

    /** Replaces Scrim's properties with those in {@code tags}; other properties stay. */
    void apply(NoAiTags tags) {
        Element d = doc.createElementNS(RDF_NS, "rdf:Description");
        // All top-level descriptions of a packet must describe the same resource.
        d.setAttributeNS(RDF_NS, "rdf:about", descriptions().stream().findFirst()
                .map(e -> e.getAttributeNS(RDF_NS, "about")).orElse(""));
        declare(d, "plus", PLUS_NS);
        declare(d, "xmpRights", XMP_RIGHTS_NS);
        declare(d, "scrim", SCRIM_NS);

        setSimple(d, PLUS_NS, "plus:DataMining", tags.dataMining().uri());
        if (tags.otherConstraints() != null) {
            setLangAlt(d, PLUS_NS, "plus:OtherConstraints", tags.otherConstraints());
        }
        if (!tags.creators().isEmpty() || tags.rights() != null) {
            declare(d, "dc", DC_NS);
        }
        if (!tags.creators().isEmpty()) {
            remove(DC_NS, "creator");
            Element seq = container(d, DC_NS, "dc:creator", "rdf:Seq");
            for (String c : tags.creators()) {
                seq.appendChild(text(doc.createElementNS(RDF_NS, "rdf:li"), c));
            }
        }
        if (tags.rights() != null) {
            setLangAlt(d, DC_NS, "dc:rights", tags.rights());
        }
        setSimple(d, XMP_RIGHTS_NS, "xmpRights:Marked", "True");
        if (tags.webStatement() != null) {
            setSimple(d, XMP_RIGHTS_NS, "xmpRights:WebStatement", tags.webStatement());
        }
        removeNamespace(SCRIM_NS);
        tags.provenance().properties().forEach((name, value) ->
                d.appendChild(text(doc.createElementNS(SCRIM_NS, "scrim:" + name), value)));
        dropEmptyDescriptions();
        rdf.appendChild(d);
    }

    String serialize() {
        for (Node n = doc.getFirstChild(); n != null; ) {
            Node next = n.getNextSibling();
            if (n instanceof ProcessingInstruction pi && pi.getTarget().equals("xpacket")) {
                doc.removeChild(n);
            }
            n = next;
        }
        doc.insertBefore(doc.createProcessingInstruction("xpacket",
                "begin=\"\uFEFF\" id=\"" + PACKET_ID + "\""), doc.getDocumentElement());
        doc.appendChild(doc.createProcessingInstruction("xpacket", "end=\"w\""));
        stripWhitespaceText(doc.getDocumentElement());
        try {
            Transformer t = TransformerFactory.newInstance().newTransformer();
            t.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
            t.setOutputProperty(OutputKeys.ENCODING, "UTF-8");
            // No indentation: it grows with the square of the nesting, and XMP readers do not need it.
            t.setOutputProperty(OutputKeys.INDENT, "no");
            StringWriter out = new StringWriter();
            t.transform(new DOMSource(doc), new StreamResult(out));
            return out.toString();
        } catch (TransformerException e) {
            throw new IllegalStateException("cannot serialise an XMP DOM", e);
        }
    }

    /** The text of a simple property, in element or attribute form. */
    Optional<String> simple(String ns, String local) {
        for (Element d : descriptions()) {
            Attr a = d.getAttributeNodeNS(ns, local);
            if (a != null) {
                return Optional.of(a.getValue());
            }
            for (Element p : children(d, ns, local)) {
                String resource = p.getAttributeNS(RDF_NS, "resource");
                return Optional.of(resource.isEmpty() ? p.getTextContent().strip() : resource);
            }
        }
        return Optional.empty();
    }

    /** The x-default (or first) entry of a language alternative, or a plain value written by a lax tool. */
    Optional<String> langAlt(String ns, String local) {
        for (Element d : descriptions()) {
            for (Element p : children(d, ns, local)) {
                List<Element> items = items(p);
                if (items.isEmpty()) {
                    return Optional.of(p.getTextContent().strip());
                }
                return Optional.of(items.stream()
                        .filter(li -> "x-default".equals(li.getAttributeNS(XML_NS, "lang")))
                        .findFirst().orElse(items.get(0)).getTextContent().strip());
            }
        }
        return simple(ns, local);
    }

    List<String> list(String ns, String local) {
        for (Element d : descriptions()) {
            for (Element p : children(d, ns, local)) {
                List<String> out = new ArrayList<>();
                items(p).forEach(li -> out.add(li.getTextContent().strip()));
                return out;
            }
        }
        return simple(ns, local).map(List::of).orElse(List.of());
    }

    private void setSimple(Element d, String ns, String qname, String value) {
        remove(ns, localName(qname));
        d.appendChild(text(doc.createElementNS(ns, qname), value));
    }

    private void setLangAlt(Element d, String ns, String qname, String value) {
        remove(ns, localName(qname));
        Element li = text(doc.createElementNS(RDF_NS, "rdf:li"), value);
        li.setAttributeNS(XML_NS, "xml:lang", "x-default");
        container(d, ns, qname, "rdf:Alt").appendChild(li);
    }

    private Element container(Element d, String ns, String qname, String kind) {
        Element p = doc.createElementNS(ns, qname);
        Element c = doc.createElementNS(RDF_NS, kind);
        p.appendChild(c);
        d.appendChild(p);
        return c;
    }

    /** Removes a property from every description, in both element and attribute form. */
    private void remove(String ns, String local) {
        for (Element d : descriptions()) {
            if (d.hasAttributeNS(ns, local)) {
                d.removeAttributeNS(ns, local);
            }
            children(d, ns, local).forEach(d::removeChild);
        }
    }

    private void removeNamespace(String ns) {
        for (Element d : descriptions()) {
            NamedNodeMap attrs = d.getAttributes();
            for (int i = attrs.getLength() - 1; i >= 0; i--) {
                if (ns.equals(attrs.item(i).getNamespaceURI())) {
                    d.removeAttributeNode((Attr) attrs.item(i));
                }
            }
            children(d, ns, null).forEach(d::removeChild);
        }
    }

    /** Descriptions emptied by {@link #remove} (typically Scrim's own from an earlier run) are dropped. */
    private void dropEmptyDescriptions() {
        for (Element d : descriptions()) {
            boolean hasProperty = !children(d, null, null).isEmpty();
            NamedNodeMap attrs = d.getAttributes();
            for (int i = 0; i < attrs.getLength() && !hasProperty; i++) {
                Node a = attrs.item(i);
                hasProperty = !XMLConstants.XMLNS_ATTRIBUTE_NS_URI.equals(a.getNamespaceURI())
                        && !RDF_NS.equals(a.getNamespaceURI());
            }
            if (!hasProperty) {
                d.getParentNode().removeChild(d);
            }
        }
    }

    private List<Element> descriptions() {
        return children(rdf, RDF_NS, "Description");
    }

    private static List<Element> items(Element property) {
        List<Element> out = new ArrayList<>();
        for (Element container : children(property, RDF_NS, null)) {
            out.addAll(children(container, RDF_NS, "li"));
        }
        return out;
    }

    /** Child elements matching a namespace and local name; null matches any. */
    private static List<Element> children(Element parent, String ns, String local) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && (ns == null || ns.equals(e.getNamespaceURI()))
                    && (local == null || local.equals(e.getLocalName()))) {
                out.add(e);
            }
        }
        return out;
    }

    private static Element text(Element e, String value) {
        e.setTextContent(value);
        return e;
    }

    private static void declare(Element e, String prefix, String ns) {
        e.setAttributeNS(XMLConstants.XMLNS_ATTRIBUTE_NS_URI, "xmlns:" + prefix, ns);
    }

    private static String localName(String qname) {
        return qname.substring(qname.indexOf(':') + 1);
    }

    /** Indentation text nodes from the parsed input would otherwise pile up with the serialiser's own. */
    private static void stripWhitespaceText(Element e) {
        boolean hasElementChild = !children(e, null, null).isEmpty();
        for (Node n = e.getFirstChild(); n != null; ) {
            Node next = n.getNextSibling();
            if (hasElementChild && n.getNodeType() == Node.TEXT_NODE && n.getNodeValue().isBlank()) {
                e.removeChild(n);
            } else if (n instanceof Element child) {
                stripWhitespaceText(child);
            }
            n = next;
        }
    }
}
