package io.loomchat.examples;

import static io.loomchat.examples.Escape.escape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.loomchat.examples.echo.EchoClient;
import io.loomchat.examples.echo.EchoServer;
import io.loomchat.examples.migration.HttpRequestHandler;
import io.loomchat.server.ChatServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The side-by-side examples of the asynchat page: the port of the asynchat documentation's HTTP request handler,
 * driven by curl; and PyMOTW's asynchat echo server and client, in Python 3.11's asynchat, talking to their Java
 * counterparts across the wire in both directions.
 */
@Timeout(60)
class MigrationTest {
    /** Longer than PyMOTW's 64-byte buffers, so both sides see the message in pieces. */
    private static final String MESSAGE = "PyMOTW's echo, across the wire: " + "0123456789".repeat(20);

    private static String script(String name) throws Exception {
        return Path.of(MigrationTest.class.getResource("/pymotw/" + name).toURI()).toString();
    }

    private static String[] python(String... arguments) {
        String[] command = new String[arguments.length + 3];
        command[0] = "python3";
        command[1] = "-W";
        command[2] = "ignore::DeprecationWarning"; // asynchat and asyncore are deprecated, still in 3.11
        System.arraycopy(arguments, 0, command, 3, arguments.length);
        return command;
    }

    @Test
    void pyMotwPythonClientGetsItsEchoFromTheJavaServer() throws Exception {
        RealClient.require("python3", "python3");
        try (ChatServer server = Peer.server(EchoServer::new)) {
            RealClient.Result result = RealClient.runOk(python(script("asynchat_echo_client.py"), "127.0.0.1",
                    Integer.toString(server.port()), MESSAGE));
            assertEquals("RECEIVED COPY OF MESSAGE\\n", escape(result.stdout()), result.stderr());
        }
    }

    @Test
    void javaClientGetsItsEchoFromThePyMotwPythonServer() throws Exception {
        RealClient.require("python3", "python3");
        try (RealClient python = RealClient.start(python(script("asynchat_echo_server.py")))) {
            int port = Integer.parseInt(python.nextLine().strip());
            byte[] message = MESSAGE.getBytes(StandardCharsets.US_ASCII);
            assertArrayEquals(message, EchoClient.echo("127.0.0.1", port, message, Duration.ofSeconds(10)));
            assertEquals(0, python.awaitExit(), "the Python server served its one client and exited");
        }
    }

    private static RealClient.Result curl(ChatServer server, String... options) throws Exception {
        RealClient.require("curl", "curl");
        String[] command = new String[options.length + 4];
        command[0] = "curl";
        command[1] = "-sS";
        command[2] = "--max-time";
        command[3] = "10";
        System.arraycopy(options, 0, command, 4, options.length);
        for (int i = 4; i < command.length; i++) command[i] = command[i].replace("PORT", "" + server.port());
        return RealClient.runOk(command);
    }

    @Test
    void httpRequestHandlerAnswersCurlsGet() throws Exception {
        try (ChatServer server = Peer.server(HttpRequestHandler::new)) {
            RealClient.Result result = curl(server, "-i", "http://127.0.0.1:PORT/hello?x=1");
            assertEquals("HTTP/1.0 200 OK\\r\\nContent-Type: text/plain; charset=utf-8\\r\\nContent-Length: 24\\r\\n"
                    + "Connection: close\\r\\n\\r\\nGET /hello?x=1, 0 bytes\\n", escape(result.stdout()));
        }
    }

    @Test
    void httpRequestHandlerReadsCurlsPostBodyWithACount() throws Exception {
        try (ChatServer server = Peer.server(HttpRequestHandler::new)) {
            RealClient.Result result = curl(server, "--data-binary", "name=loom&kind=chat\r\n",
                    "http://127.0.0.1:PORT/form");
            assertEquals("POST /form, 21 bytes\\nname=loom&kind=chat\\r\\n", escape(result.stdout()));
            assertEquals("POST /, 0 bytes\\n", escape(curl(server, "-X", "POST", "http://127.0.0.1:PORT/")
                    .stdout()));
        }
    }

    @Test
    void httpRequestHandlerIgnoresBytesAfterTheBody() throws Exception {
        try (ChatServer server = Peer.server(HttpRequestHandler::new); Peer peer = Peer.connect(server.port())) {
            peer.send("POST /x HTTP/1.0\r\nContent-");
            peer.send("Length: 5\r\n\r");
            peer.send("\nhel");
            peer.send("lo and more that a browser over-sent\r\n");
            byte[] response = peer.readUntilClosed();
            String text = new String(response, StandardCharsets.ISO_8859_1);
            assertEquals("POST /x, 5 bytes\\nhello", escape(text.substring(text.indexOf("\r\n\r\n") + 4)));
        }
    }

    @Test
    void httpRequestHandlerRefusesABadOrLargeLength() throws Exception {
        assertEquals("HTTP/1.0 400 Bad Request\\r\\n", statusFor("x"));
        assertEquals("HTTP/1.0 413 Content Too Large\\r\\n", statusFor(Long.toString(HttpRequestHandler.MAX_BODY + 1)));
    }

    private static String statusFor(String contentLength) throws Exception {
        try (ChatServer server = Peer.server(HttpRequestHandler::new); Peer peer = Peer.connect(server.port())) {
            peer.send("POST / HTTP/1.0\r\nContent-Length: " + contentLength + "\r\n\r\n");
            return escape(peer.readLine());
        }
    }
}
