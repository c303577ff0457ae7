package dev.exxec.docker;

import dev.exxec.docker.internal.DockerConnection;
import dev.exxec.testkit.Requirements;

/** What the docker tests need: a daemon, and the image scripts/docker-images.sh builds. */
final class DockerTests {
    private DockerTests() {}

    static void requireDaemonAndImage() {
        DockerConnection docker;
        try {
            docker = DockerConnection.to(DockerConnection.endpoint(null));
        } catch (RuntimeException e) {
            Requirements.require(false, "no Docker daemon: " + e.getMessage());
            return;
        }
        boolean image;
        try {
            docker.client().inspectImageCmd(DockerConfig.DEFAULT_IMAGE).exec();
            image = true;
        } catch (RuntimeException e) {
            image = false;
        }
        Requirements.require(
                image, "image " + DockerConfig.DEFAULT_IMAGE + " is missing: run sudo scripts/docker-images.sh");
    }
}
