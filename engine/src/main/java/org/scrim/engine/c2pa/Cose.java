package org.scrim.engine.c2pa;

import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The COSE_Sign1 pieces (RFC 9052) that need integer map keys and a CBOR tag, written with Jackson's CBOR generator.
 * C2PA uses a detached payload: the claim is signed but not repeated inside the signature.
 */
final class Cose {
    static final int SIGN1_TAG = 18;
    static final int HEADER_ALG = 1;
    static final int HEADER_X5CHAIN = 33;
    static final int ES256 = -7;
    private static final CBORFactory FACTORY = new CBORFactory();

    private Cose() {}

    private interface Body {
        void write(CBORGenerator g) throws IOException;
    }

    private static byte[] cbor(Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CBORGenerator g = FACTORY.createGenerator(out)) {
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException("CBOR into memory failed", e);
        }
        return out.toByteArray();
    }

    /** The protected header: {1: ES256, 33: [certificates, signing certificate first]}. */
    static byte[] protectedHeader(List<byte[]> certificates) {
        return cbor(g -> {
            g.writeStartObject(2);
            g.writeFieldId(HEADER_ALG);
            g.writeNumber(ES256);
            g.writeFieldId(HEADER_X5CHAIN);
            g.writeStartArray(null, certificates.size());
            for (byte[] c : certificates) {
                g.writeBinary(c);
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /** What is signed: ["Signature1", protected header, empty external AAD, payload]. */
    static byte[] sigStructure(byte[] protectedHeader, byte[] payload) {
        return cbor(g -> {
            g.writeStartArray(null, 4);
            g.writeString("Signature1");
            g.writeBinary(protectedHeader);
            g.writeBinary(new byte[0]);
            g.writeBinary(payload);
            g.writeEndArray();
        });
    }

    /** 18([protected header, {} unprotected, nil (detached payload), signature]). */
    static byte[] sign1(byte[] protectedHeader, byte[] signature) {
        return cbor(g -> {
            g.writeTag(SIGN1_TAG);
            g.writeStartArray(null, 4);
            g.writeBinary(protectedHeader);
            g.writeStartObject(0);
            g.writeEndObject();
            g.writeNull();
            g.writeBinary(signature);
            g.writeEndArray();
        });
    }
}
