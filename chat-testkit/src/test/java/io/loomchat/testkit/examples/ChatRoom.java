package io.loomchat.testkit.examples;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatSession;
import io.loomchat.core.SessionFactory;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A chat room: a member's first line is their name; every later line goes to the others as
 * {@code <name> line}; {@code /quit} says goodbye and closes. Members are told who joins and leaves.
 */
public final class ChatRoom implements SessionFactory {
    private final Map<ChatChannel, String> members = new ConcurrentHashMap<>();

    @Override
    public ChatSession create(ChatChannel channel) {
        channel.setTerminator("\r\n");
        channel.push("welcome! your name?\r\n");
        return new Member(channel);
    }

    /** Returns the number of members who have given their name and not left. */
    public int size() {
        return members.size();
    }

    private void broadcast(ChatChannel from, String text) {
        members.forEach((channel, name) -> {
            if (channel != from) channel.push(text);
        });
    }

    private final class Member implements ChatSession {
        private final ChatChannel channel;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private String name;

        Member(ChatChannel channel) {
            this.channel = channel;
        }

        @Override
        public void collectIncomingData(byte[] data) {
            line.writeBytes(data);
        }

        @Override
        public void foundTerminator() {
            String text = line.toString(StandardCharsets.UTF_8);
            line.reset();
            if (name == null) {
                name = text;
                int others = members.size();
                broadcast(channel, "* " + name + " joined\r\n");
                // A member before the reply: whoever hears "hello" may count on being in the room.
                members.put(channel, name);
                channel.push("hello " + name + ", " + others + " here\r\n");
            } else if (text.equals("/quit")) {
                channel.push("bye " + name + "\r\n");
                channel.closeWhenDone();
            } else {
                broadcast(channel, "<" + name + "> " + text + "\r\n");
            }
        }

        @Override
        public void closed() {
            if (name != null && members.remove(channel) != null) broadcast(channel, "* " + name + " left\r\n");
        }
    }
}
