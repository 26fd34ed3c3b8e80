package org.scrim.engine.c2pa;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import java.io.IOException;

/** CBOR encoding of C2PA structures through Jackson's tree model (byte strings are {@code BinaryNode}s). */
final class Cbor {
    static final ObjectMapper MAPPER = new ObjectMapper(new CBORFactory());

    private Cbor() {}

    static ObjectNode map() {
        return MAPPER.createObjectNode();
    }

    static byte[] encode(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException("CBOR encoding of an in-memory tree failed", e);
        }
    }

    static JsonNode decode(byte[] bytes, String what) throws IOException {
        try {
            return MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new IOException(what + " is not valid CBOR: " + e.getMessage(), e);
        }
    }
}
