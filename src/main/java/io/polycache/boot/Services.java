package io.polycache.boot;

import io.polycache.artifact.ArtifactService;
import io.polycache.store.FileStore;

/** The services built at start-up, handed to Jersey by {@link PolycacheApplication}. */
record Services(FileStore files, ArtifactService artifacts) {
    static final String ATTRIBUTE = Services.class.getName();
}
