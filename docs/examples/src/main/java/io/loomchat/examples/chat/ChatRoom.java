package io.loomchat.examples.chat;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatSession;
import io.loomchat.core.SessionFactory;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Pattern;

/**
 * A line-based chat room: each connection picks a nickname, and each line it sends goes to every other member.
 *
 * <p>Lines end with {@code \n} or {@code \r\n}; the room sends {@code \r\n}. The first line is the nickname
 * (1 to 20 letters, digits, {@code _} or {@code -}, not taken). After that, {@code /who} lists the members,
 * {@code /quit} leaves, and any other line is a message. Joins and leaves are announced to the others.
 *
 * <p>When the server closes ({@code ChatServer.close()}, or SIGTERM in the demo), each member is told
 * {@code * the room is closing; goodbye} once, as its last line, and departures are no longer announced: members
 * closing together would otherwise hear each other leave.
 *
 * <p>A message is pushed to the other members' channels from the sender's own thread. {@link ChatChannel#push}
 * waits while a member's output queue is over its high watermark, so a flood slows to the pace of the slowest
 * member who reads, and nobody who reads loses a message. A member who stops reading altogether is closed by
 * loomchat after the server's write timeout ({@code ChatOptions.withWriteTimeout}; the demo sets 5 seconds),
 * and the room goes on without it: only messages sent meanwhile wait, once, for at most that long.
 *
 * {@snippet :
 * ChatServer server = ChatServer.listen(7000, new ChatRoom());
 * }
 */
public final class ChatRoom implements SessionFactory {
    private static final Pattern NICKNAME = Pattern.compile("[A-Za-z0-9_-]{1,20}");

    /** The members who chose a nickname, by nickname. */
    private final ConcurrentMap<String, ChatChannel> members = new ConcurrentHashMap<>();
    /** Set by the first member told that the server is closing; from then on, departures are not announced. */
    private volatile boolean closing;

    @Override
    public ChatSession create(ChatChannel channel) {
        return new Member(channel);
    }

    /** Returns the nicknames of the members, sorted. */
    public List<String> nicknames() {
        return members.keySet().stream().sorted().toList();
    }

    /**
     * Sends {@code line} to every member but {@code sender}. A push to a member who stopped reading waits at
     * most the write timeout, after which loomchat closes that member (its closed() announces it left).
     */
    private void broadcast(String sender, String line) {
        byte[] bytes = (line + "\r\n").getBytes(StandardCharsets.UTF_8);
        members.forEach((nickname, channel) -> {
            if (!nickname.equals(sender)) channel.push(bytes);
        });
    }

    /** One connection: asks for a nickname, then relays lines until /quit or the connection closes. */
    private final class Member implements ChatSession {
        private final ChatChannel channel;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        /** The nickname, once chosen; null until then. */
        private String nickname;

        Member(ChatChannel channel) {
            this.channel = channel;
            channel.setTerminator("\n");
            channel.push("* welcome to the loomchat room; your nickname?\r\n");
        }

        @Override
        public void collectIncomingData(byte[] data) {
            line.writeBytes(data);
        }

        @Override
        public void foundTerminator() {
            String text = line.toString(StandardCharsets.UTF_8);
            line.reset();
            if (!channel.isOpen()) return; // after /quit: closing, ignore the rest
            if (text.endsWith("\r")) text = text.substring(0, text.length() - 1);
            if (nickname == null) {
                join(text.strip());
            } else if (text.startsWith("/")) {
                command(text.strip());
            } else if (!text.isBlank()) {
                broadcast(nickname, nickname + ": " + text);
            }
        }

        private void join(String wanted) {
            if (!NICKNAME.matcher(wanted).matches()) {
                channel.push("* a nickname is 1 to 20 letters, digits, _ or -; your nickname?\r\n");
            } else if (members.putIfAbsent(wanted, channel) != null) {
                channel.push("* " + wanted + " is taken; your nickname?\r\n");
            } else {
                nickname = wanted;
                // The others first: once the new member reads its hello, every member has heard of it.
                broadcast(wanted, "* " + wanted + " joined");
                channel.push("* hello " + wanted + "; here: " + String.join(", ", nicknames())
                        + "; /who lists, /quit leaves\r\n");
            }
        }

        private void command(String command) {
            switch (command) {
                case "/who" -> channel.push("* here: " + String.join(", ", nicknames()) + "\r\n");
                case "/quit" -> {
                    channel.push("* bye " + nickname + "\r\n");
                    channel.closeWhenDone();
                    leave();
                }
                default -> channel.push("* unknown command " + command + "; try /who or /quit\r\n");
            }
        }

        private void leave() {
            boolean left = nickname != null && members.remove(nickname, channel);
            if (left && !closing) broadcast(nickname, "* " + nickname + " left");
        }

        @Override
        public void serverClosing(ChatChannel closingChannel) {
            // Set before this member's closed() (same thread) and any later one: none of them is announced, so no
            // member hears another leave before its goodbye (ChatRoomTest.departureDuringShutdownIsNotAnnounced).
            closing = true;
            // Out of the room first, so no other member's line lands after the goodbye.
            if (nickname != null) members.remove(nickname, channel);
            closingChannel.push("* the room is closing; goodbye\r\n");
        }

        @Override
        public void closed() {
            leave();
        }
    }
}
