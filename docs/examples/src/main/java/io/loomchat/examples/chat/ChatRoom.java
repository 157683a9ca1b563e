package io.loomchat.examples.chat;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatSession;
import io.loomchat.core.SessionFactory;
import java.io.ByteArrayOutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.stream.Stream;
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
 * <p>One process holds the whole room in memory ({@code new ChatRoom()}). Several processes form one room through
 * a {@link Backplane} ({@code new ChatRoom(RedisBackplane.connect(uri))}): each keeps its own members' channels,
 * and the backplane carries nicknames, the member list and the lines between them.
 *
 * {@snippet :
 * ChatServer server = ChatServer.listen(7000, new ChatRoom());
 * }
 */
public final class ChatRoom implements SessionFactory, AutoCloseable {
    private static final Pattern NICKNAME = Pattern.compile("[A-Za-z0-9_-]{1,20}");

    /**
     * What the room shares with its other instances: nicknames, who is where, and lines. {@link #LOCAL}, the room
     * of one process, shares nothing.
     */
    public interface Backplane extends AutoCloseable {
        /** The room of one process: every nickname is free beyond it, nobody else is here, a line goes nowhere. */
        Backplane LOCAL = new Backplane() {
        };

        /** Starts handing {@code deliver} the lines published by the other instances, on a thread of its own. */
        default void start(Consumer<String> deliver) {
        }

        /**
         * Claims {@code nickname} for a member of this instance; returns false if another instance's member has it.
         *
         * @throws UncheckedIOException if the other instances cannot be asked now
         */
        default boolean claim(String nickname) {
            return true;
        }

        /** Gives back a nickname this instance claimed; best effort (a claim also expires on its own). */
        default void release(String nickname) {
        }

        /**
         * Returns the nicknames of the other instances' members.
         *
         * @throws UncheckedIOException if the other instances cannot be asked now
         */
        default List<String> othersNicknames() {
            return List.of();
        }

        /** Sends {@code line} to the other instances' members; returns false if it could not be sent. */
        default boolean publish(String line) {
            return true;
        }

        /** Stops delivering, and gives back this instance's nicknames. */
        @Override
        default void close() {
        }
    }

    /** The members on this instance who chose a nickname, by nickname. */
    private final ConcurrentMap<String, ChatChannel> members = new ConcurrentHashMap<>();
    /** Where the rest of the room is. */
    private final Backplane backplane;
    /** Set by the first member told that the server is closing; from then on, departures are not announced. */
    private volatile boolean closing;

    /** Creates a room held in this process's memory. */
    public ChatRoom() {
        this(Backplane.LOCAL);
    }

    /** Creates a room that spans every instance on {@code backplane}; closing the room closes the backplane. */
    public ChatRoom(Backplane backplane) {
        this.backplane = Objects.requireNonNull(backplane, "backplane");
        // Another instance's line goes to every member here.
        backplane.start(line -> broadcast(null, line));
    }

    @Override
    public ChatSession create(ChatChannel channel) {
        return new Member(channel);
    }

    /** Returns the nicknames of this instance's members, sorted. */
    public List<String> nicknames() {
        return members.keySet().stream().sorted().toList();
    }

    /** Returns the whole room's nicknames, sorted. */
    private String everyone() {
        return String.join(", ", Stream.concat(members.keySet().stream(), backplane.othersNicknames().stream())
                .sorted().toList());
    }

    /** Closes the backplane (after the server: the members are gone by then). */
    @Override
    public void close() {
        backplane.close();
    }

    /**
     * Sends {@code line} to every member here but {@code sender} (null: to all of them). A push to a member who stopped reading waits at
     * most the write timeout, after which loomchat closes that member (its closed() announces it left).
     */
    private void broadcast(String sender, String line) {
        byte[] bytes = (line + "\r\n").getBytes(StandardCharsets.UTF_8);
        members.forEach((nickname, channel) -> {
            if (!nickname.equals(sender)) channel.push(bytes);
        });
    }

    /** Sends {@code line} to every member but {@code sender}, on every instance. */
    private boolean announce(String sender, String line) {
        broadcast(sender, line);
        return backplane.publish(line);
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
            } else if (!text.isBlank() && !announce(nickname, nickname + ": " + text)) {
                channel.push("* the other instances are out of reach: only members here got that\r\n");
            }
        }

        private void join(String wanted) {
            if (!NICKNAME.matcher(wanted).matches()) {
                channel.push("* a nickname is 1 to 20 letters, digits, _ or -; your nickname?\r\n");
            } else if (members.putIfAbsent(wanted, channel) != null) {
                channel.push("* " + wanted + " is taken; your nickname?\r\n");
            } else if (!claimed(wanted)) {
                members.remove(wanted, channel);
            } else {
                nickname = wanted;
                // The others first: once the new member reads its hello, every member here has heard of it.
                announce(wanted, "* " + wanted + " joined");
                channel.push("* hello " + wanted + "; here: " + who() + "; /who lists, /quit leaves\r\n");
            }
        }

        /** Claims {@code wanted} on the other instances too; if that fails, tells the member why. */
        private boolean claimed(String wanted) {
            try {
                if (backplane.claim(wanted)) return true;
                channel.push("* " + wanted + " is taken; your nickname?\r\n");
            } catch (UncheckedIOException e) {
                channel.push("* the other instances are out of reach, so nicknames cannot be checked; "
                        + "try again soon; your nickname?\r\n");
            }
            return false;
        }

        /** The whole room's nicknames, or this instance's if the others are out of reach (and it says so). */
        private String who() {
            try {
                return everyone();
            } catch (UncheckedIOException e) {
                return String.join(", ", nicknames()) + " (only this instance: the others are out of reach)";
            }
        }

        private void command(String command) {
            switch (command) {
                case "/who" -> channel.push("* here: " + who() + "\r\n");
                case "/quit" -> {
                    channel.push("* bye " + nickname + "\r\n");
                    channel.closeWhenDone();
                    leave();
                }
                default -> channel.push("* unknown command " + command + "; try /who or /quit\r\n");
            }
        }

        private void leave() {
            if (nickname == null || !members.remove(nickname, channel)) return;
            backplane.release(nickname);
            if (!closing) announce(nickname, "* " + nickname + " left");
        }

        @Override
        public void serverClosing(ChatChannel closingChannel) {
            // Set before this member's closed() (same thread) and any later one: none of them is announced, so no
            // member hears another leave before its goodbye (ChatRoomTest.departureDuringShutdownIsNotAnnounced).
            closing = true;
            // Out of the room first, so no other member's line lands after the goodbye. Other instances go on.
            if (nickname != null && members.remove(nickname, channel)) {
                backplane.release(nickname);
                backplane.publish("* " + nickname + " left");
            }
            closingChannel.push("* the room is closing; goodbye\r\n");
        }

        @Override
        public void closed() {
            leave();
        }
    }
}
