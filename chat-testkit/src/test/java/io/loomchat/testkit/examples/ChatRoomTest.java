package io.loomchat.testkit.examples;

import static org.awaitility.Awaitility.await;

import io.loomchat.testkit.ChatServerExtension;
import io.loomchat.testkit.Conversation;
import io.loomchat.testkit.Fragmentation;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The chat room, tested with the kit: several clients, each a conversation. */
@Timeout(30)
class ChatRoomTest {
    static final ChatRoom room = new ChatRoom();

    @RegisterExtension
    static final ChatServerExtension server = ChatServerExtension.serving(room);

    @Test
    void membersHearEachOtherButNotThemselves() {
        Conversation alice = join("alice", 0);
        Conversation bob = join("bob", 1);
        alice.expectLine("* bob joined");
        bob.sendLine("hi alice");
        alice.expectLine("<bob> hi alice");
        alice.sendLine("/quit").expectLine("bye alice").expectClosed();
        bob.expectLine("* alice left");
    }

    @Test
    void aMemberWhoDropsIsAnnouncedAndCounted() {
        Conversation alice = join("alice", 0);
        Conversation bob = join("bob", 1);
        alice.expectLine("* bob joined");
        server.awaitSessions(2);
        bob.close();
        alice.expectLine("* bob left");
        server.awaitSessions(1);
        // A condition of the protocol's own, which no helper knows: Awaitility waits for it.
        await().atMost(Duration.ofSeconds(5)).until(() -> room.size() == 1);
    }

    @Test
    void oneMemberBehavesTheSameUnderEveryFragmentation() {
        Fragmentation.of(new ChatRoom()).replay(Path.of("src/test/resources/transcripts/chatroom.txt"));
    }

    private static Conversation join(String name, int alreadyThere) {
        return server.connect().expectLine("welcome! your name?")
                .sendLine(name).expectLine("hello " + name + ", " + alreadyThere + " here");
    }
}
