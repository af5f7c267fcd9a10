package io.polycache.boot;

import io.polycache.artifact.ArtifactService;
import io.polycache.store.FileStore;
import io.polycache.store.SpaceLedger;

/** The services built at start-up, handed to Jersey by {@link PolycacheApplication}. */
record Services(FileStore files, SpaceLedger ledger, ArtifactService artifacts) {
    static final String ATTRIBUTE = Services.class.getName();
}
