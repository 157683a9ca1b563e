package com.example;

import io.loomchat.testkit.ChatServerExtension;
import io.loomchat.testkit.Conversation;
import io.loomchat.testkit.Fragmentation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

@Timeout(10)
class ShoutTest {
    @RegisterExtension
    static final ChatServerExtension server = ChatServerExtension.serving(Shout::new);

    @Test
    void answersInUpperCaseAndClosesAfterQuit(Conversation client) {
        client.send("hello, loomchat\n").expect("HELLO, LOOMCHAT\n")
                .send("QUIT\n").expect("bye\n")
                .expectClosed();
    }

    @Test
    void answersTheSameHoweverTheBytesArrive() {
        Fragmentation.of(Shout::new).replay(client -> client
                .send("hello, loomchat\nQUIT\n").expect("HELLO, LOOMCHAT\nbye\n")
                .expectClosed());
    }
}
