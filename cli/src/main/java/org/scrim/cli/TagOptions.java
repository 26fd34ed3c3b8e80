package org.scrim.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.scrim.engine.c2pa.C2paSigner;
import org.scrim.engine.statement.DataMining;
import org.scrim.engine.statement.NoAiTags;
import org.scrim.engine.statement.Provenance;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/** The "no AI training" statement and rights fields, shared by {@code tag} and {@code protect}. */
public final class TagOptions {
    @Option(names = "--data-mining", paramLabel = "VALUE", defaultValue = "DMI-PROHIBITED-AIMLTRAINING",
            converter = DataMiningConverter.class,
            description = "IPTC data-mining value (default: ${DEFAULT-VALUE}). One of: DMI-UNSPECIFIED, DMI-ALLOWED, "
                    + "DMI-PROHIBITED-AIMLTRAINING, DMI-PROHIBITED-GENAIMLTRAINING, "
                    + "DMI-PROHIBITED-EXCEPTSEARCHENGINEINDEXING, DMI-PROHIBITED, DMI-PROHIBITED-SEECONSTRAINT "
                    + "(needs --constraints), DMI-PROHIBITED-SEEEMBEDDEDRIGHTSEXPR, "
                    + "DMI-PROHIBITED-SEELINKEDRIGHTSEXPR.")
    DataMining dataMining;

    @Option(names = "--creator", paramLabel = "NAME", description = "Creator (dc:creator); repeat for several.")
    List<String> creators;

    @Option(names = "--rights", paramLabel = "TEXT", description = "Copyright notice (dc:rights).")
    String rights;

    @Option(names = "--web-statement", paramLabel = "URL",
            description = "URL of your rights or licensing page (xmpRights:WebStatement).")
    String webStatement;

    @Option(names = "--constraints", paramLabel = "TEXT",
            description = "Further conditions in your own words (plus:OtherConstraints).")
    String constraints;

    @Option(names = "--c2pa-cert", paramLabel = "PEM",
            description = "Your certificate chain (PEM, signing certificate first, EC P-256) for the C2PA Content "
                    + "Credentials; with --c2pa-key. Default: a key and certificate Scrim generates once for you.")
    Path c2paCert;

    @Option(names = "--c2pa-key", paramLabel = "PEM", description = "The private key (PEM) of --c2pa-cert.")
    Path c2paKey;

    /** The C2PA signer: the artist's own when given, else null (the per-user one, created on first use). */
    C2paSigner signer() throws IOException {
        if ((c2paCert == null) != (c2paKey == null)) {
            throw new IllegalArgumentException("--c2pa-cert and --c2pa-key go together");
        }
        return c2paCert == null ? null : C2paSigner.fromFiles(c2paCert, c2paKey);
    }

    /** The tags to write; throws IllegalArgumentException for inconsistent choices. */
    NoAiTags tags(Provenance provenance) {
        return new NoAiTags(dataMining, constraints, creators, rights, webStatement, provenance);
    }

    /** Refuses inconsistent choices (such as DMI-PROHIBITED-SEECONSTRAINT without --constraints) before the work. */
    void validate() {
        try {
            tags(Provenance.metadataOnly());
        } catch (IllegalArgumentException e) {
            throw new ScrimCommand.UsageException(e.getMessage());
        }
    }

    static final class DataMiningConverter implements ITypeConverter<DataMining> {
        @Override
        public DataMining convert(String value) {
            return DataMining.parse(value);
        }
    }
}
