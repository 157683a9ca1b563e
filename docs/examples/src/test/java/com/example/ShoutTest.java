package com.example;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.loomchat.server.ChatServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class ShoutTest {
    @Test
    @Timeout(10)
    void answersInUpperCaseAndClosesAfterQuit() throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ChatServer server = ChatServer.builder().bindAddress(loopback).listen(Shout::new);
             Socket socket = new Socket(loopback, server.port())) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write("hello, loomchat\nQUIT\n".getBytes(UTF_8));
            var in = new BufferedReader(new InputStreamReader(socket.getInputStream(), UTF_8));
            assertEquals("HELLO, LOOMCHAT", in.readLine());
            assertEquals("bye", in.readLine());
            assertNull(in.readLine(), "the server closed the connection");
        }
    }
}
