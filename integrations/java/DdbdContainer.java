// DdbdContainer.java: ddbd as a Testcontainers module for Java (org.testcontainers:testcontainers),
// with snapshot and restore for a fast reset between tests. Copy it into your test sources.
//
//   @Container static DdbdContainer ddbd = new DdbdContainer("ddbd");
//   DynamoDbClient db = DynamoDbClient.builder().endpointOverride(ddbd.endpoint())
//       .region(Region.US_EAST_1)
//       .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
//       .build();
//   ... create tables, put items ...; ddbd.snapshot("seed");
//   @BeforeEach void reset() { ddbd.restore("seed"); }
//
// Not built or run in this repository's CI: Maven Central is not reachable there (docs/testing.md).
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

public class DdbdContainer extends GenericContainer<DdbdContainer> {
    private static final int PORT = 8000;
    private final HttpClient http = HttpClient.newHttpClient();

    public DdbdContainer(String image) {
        super(DockerImageName.parse(image));
        withCommand("-inMemory", "--admin");   // --admin: the snapshot endpoints (docs/admin.md)
        withExposedPorts(PORT);
        waitingFor(Wait.forHttp("/").forStatusCode(200));   // ready when GET / answers 200
    }

    public URI endpoint() {
        return URI.create("http://" + getHost() + ":" + getMappedPort(PORT));
    }

    /** Saves the whole store under name. */
    public void snapshot(String name) {
        admin("/ddbd/snapshots", "{\"name\":\"" + name + "\"}");
    }

    /** Makes the store what it was when name was saved (milliseconds). */
    public void restore(String name) {
        admin("/ddbd/snapshots/" + name + "/restore", "");
    }

    private void admin(String path, String body) {
        HttpRequest req = HttpRequest.newBuilder(endpoint().resolve(path))
                .header("Content-Type", "application/json") // ddbd takes no other (docs/security.md)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        try {
            HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
            if (res.statusCode() != 200)
                throw new IllegalStateException("ddbd POST " + path + ": " + res.statusCode() + " " + res.body());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("ddbd POST " + path + ": " + e, e);
        }
    }
}
