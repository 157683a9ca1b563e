package io.loomchat.examples.smtp;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatSession;
import io.loomchat.core.SessionFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An SMTP server that accepts every message and hands it to a {@link MessageHandler}: what CPython's
 * {@code smtpd.SMTPServer} did on asynchat.
 *
 * <p>It speaks HELO/EHLO, MAIL FROM, RCPT TO, DATA, RSET, NOOP, VRFY and QUIT with RFC 5321's reply codes. Commands
 * are lines ending in {@code \r\n}. The message after DATA ends with {@code \r\n.\r\n}; it is read line by line so
 * that an empty message (a lone {@code .\r\n} right after the 354 reply) ends too, since the {@code \r\n} before
 * that dot was the end of the DATA command. A leading dot is removed from every line (dot-unstuffing).
 *
 * <p>With a TLS context ({@link #offeringStartTls}, {@link #requiringStartTls}) it offers STARTTLS (RFC 3207): EHLO
 * lists it, {@code STARTTLS} answers 220 and switches the connection with {@code ChatChannel.startTls}, after which
 * the client says EHLO again. A command pipelined behind STARTTLS is never answered: the connection closes.
 *
 * {@snippet :
 * ChatServer server = ChatServer.listen(2525, new SmtpSink(SmtpSink.folder(Path.of("mail"))));
 * }
 */
public final class SmtpSink implements SessionFactory {
    private static final Logger LOG = LoggerFactory.getLogger(SmtpSink.class);
    /** The default largest message accepted, in bytes, as advertised by EHLO's SIZE. */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 32 * 1024 * 1024;
    private static final int MAX_RECIPIENTS = 100;
    /** RFC 5321 4.5.3.1.4: a command line is at most 512 bytes with its CRLF. */
    private static final int MAX_COMMAND_LINE = 510;
    private static final Pattern PATH = Pattern.compile("(?i)(FROM|TO):\\s*<([^<>\\s]*)>\\s*(.*)");
    private static final Pattern SIZE = Pattern.compile("(?i)(?:^|\\s)SIZE=([0-9]{1,18})");

    /** The sender and recipients given with MAIL FROM and RCPT TO, who connected, and whether over TLS. */
    public record Envelope(String helo, String mailFrom, List<String> recipients, SocketAddress peer, boolean tls) {
    }

    /** Receives each accepted message. Called on the connection's thread; the 250 reply waits for it. */
    @FunctionalInterface
    public interface MessageHandler {
        /**
         * Delivers {@code data}, the message as sent after DATA with dots unstuffed and the final {@code .\r\n}
         * removed.
         *
         * @throws IOException to refuse it; the client is told 451 and may try again
         */
        void deliver(Envelope envelope, byte[] data) throws IOException;
    }

    private final String hostname;
    private final MessageHandler handler;
    private final int maxMessageBytes;
    /** The TLS that STARTTLS switches to, or null: not offered. */
    private final SSLContext tls;
    /** Whether MAIL is refused (530) until the client has switched to TLS. */
    private final boolean tlsRequired;

    /** Creates the sink, named {@code loomchat}, handing messages of up to 32 MiB to {@code handler}. */
    public SmtpSink(MessageHandler handler) {
        this("loomchat", handler, DEFAULT_MAX_MESSAGE_BYTES);
    }

    /** Creates the sink with the host name it greets with, and a message size limit. */
    public SmtpSink(String hostname, MessageHandler handler, int maxMessageBytes) {
        this(hostname, handler, maxMessageBytes, null, false);
    }

    private SmtpSink(String hostname, MessageHandler handler, int maxMessageBytes, SSLContext tls,
                     boolean tlsRequired) {
        this.hostname = Objects.requireNonNull(hostname, "hostname");
        this.handler = Objects.requireNonNull(handler, "handler");
        if (maxMessageBytes < 1) throw new IllegalArgumentException("maxMessageBytes < 1: " + maxMessageBytes);
        this.maxMessageBytes = maxMessageBytes;
        this.tls = tls;
        this.tlsRequired = tlsRequired;
    }

    /** Returns a sink like this one that offers STARTTLS with {@code context}; clients may also send in plain text. */
    public SmtpSink offeringStartTls(SSLContext context) {
        return new SmtpSink(hostname, handler, maxMessageBytes, Objects.requireNonNull(context, "context"), false);
    }

    /** Returns a sink like this one that offers STARTTLS with {@code context} and answers MAIL with 530 before it. */
    public SmtpSink requiringStartTls(SSLContext context) {
        return new SmtpSink(hostname, handler, maxMessageBytes, Objects.requireNonNull(context, "context"), true);
    }

    /**
     * Returns a handler that writes each message to a new {@code .eml} file in {@code folder}, creating it if
     * needed. A file appears under its final name only once complete.
     */
    public static MessageHandler folder(Path folder) {
        Objects.requireNonNull(folder, "folder");
        return (envelope, data) -> {
            Files.createDirectories(folder);
            Path partial = Files.createTempFile(folder, System.currentTimeMillis() + "-", ".part");
            Files.write(partial, data);
            String name = partial.getFileName().toString().replace(".part", ".eml");
            Path file = Files.move(partial, folder.resolve(name), StandardCopyOption.ATOMIC_MOVE);
            LOG.info("message from <{}> to {} stored in {}", envelope.mailFrom(), envelope.recipients(), file);
        };
    }

    @Override
    public ChatSession create(ChatChannel channel) {
        return new Transaction(channel);
    }

    /** Returns the SIZE=n parameter of MAIL FROM (RFC 1870), or 0. */
    private static long declaredSize(String parameters) {
        Matcher size = SIZE.matcher(parameters);
        return size.find() ? Long.parseLong(size.group(1)) : 0;
    }

    /** One connection: the command dialogue, and the mail transaction under way. */
    private final class Transaction implements ChatSession {
        private final ChatChannel channel;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private String helo;
        private String mailFrom;
        private final List<String> recipients = new ArrayList<>();
        /** The message being received after DATA; null while reading commands. */
        private ByteArrayOutputStream data;
        /** True when the message being received went over the size limit. */
        private boolean tooBig;
        /** True once the connection switched to TLS. */
        private boolean overTls;

        Transaction(ChatChannel channel) {
            this.channel = channel;
            channel.setTerminator("\r\n");
            reply("220 " + hostname + " ESMTP loomchat SMTP sink ready");
        }

        @Override
        public void collectIncomingData(byte[] bytes) {
            line.writeBytes(bytes);
        }

        @Override
        public void foundTerminator() {
            byte[] bytes = line.toByteArray();
            line.reset();
            if (!channel.isOpen()) return; // after QUIT
            if (data != null) {
                dataLine(bytes);
            } else if (bytes.length > MAX_COMMAND_LINE) {
                reply("500 Error: line too long");
            } else {
                command(new String(bytes, StandardCharsets.ISO_8859_1));
            }
        }

        private void dataLine(byte[] bytes) {
            if (bytes.length == 1 && bytes[0] == '.') {
                endData();
                return;
            }
            int from = bytes.length > 0 && bytes[0] == '.' ? 1 : 0; // RFC 5321 4.5.2: remove the stuffed dot
            if (tooBig || data.size() + bytes.length - from + 2 > maxMessageBytes) {
                tooBig = true; // read on to the end, keeping nothing, and refuse the message there
                data.reset();
                return;
            }
            data.write(bytes, from, bytes.length - from);
            data.write('\r');
            data.write('\n');
        }

        private void endData() {
            byte[] message = data.toByteArray();
            data = null;
            if (tooBig) {
                reply("552 Error: message exceeds the maximum size of " + maxMessageBytes + " bytes");
            } else {
                try {
                    handler.deliver(new Envelope(helo, mailFrom, List.copyOf(recipients), channel.remoteAddress(),
                            overTls), message);
                    reply("250 OK: message accepted");
                } catch (IOException e) {
                    LOG.warn("could not deliver a message from <{}>: {}", mailFrom, e.toString());
                    reply("451 Error: local error in processing; try again later");
                } catch (RuntimeException e) {
                    LOG.warn("the handler failed on a message from <{}>", mailFrom, e);
                    reply("451 Error: local error in processing; try again later");
                }
            }
            resetTransaction();
        }

        private void command(String text) {
            int space = text.indexOf(' ');
            String verb = (space < 0 ? text : text.substring(0, space)).toUpperCase(Locale.ROOT);
            String arg = space < 0 ? "" : text.substring(space + 1).strip();
            switch (verb) {
                case "HELO", "EHLO" -> hello(verb, arg);
                case "MAIL" -> mail(arg);
                case "RCPT" -> rcpt(arg);
                case "DATA" -> startData(arg);
                case "RSET" -> {
                    resetTransaction();
                    reply("250 OK");
                }
                case "STARTTLS" -> startTls(arg);
                case "NOOP" -> reply("250 OK");
                case "VRFY" -> reply("252 Cannot VRFY user, but will accept message and attempt delivery");
                case "QUIT" -> {
                    reply("221 Bye");
                    channel.closeWhenDone();
                }
                default -> reply("500 Error: command \"" + verb + "\" not recognized");
            }
        }

        private void hello(String verb, String domain) {
            if (domain.isEmpty()) {
                reply("501 Syntax: " + verb + " hostname");
                return;
            }
            helo = domain;
            resetTransaction(); // RFC 5321 4.1.4: a second EHLO starts over
            if (verb.equals("HELO")) {
                reply("250 " + hostname);
            } else {
                String startTls = tls != null && !overTls ? "\r\n250-STARTTLS" : "";
                reply("250-" + hostname + "\r\n250-SIZE " + maxMessageBytes + "\r\n250-8BITMIME" + startTls
                        + "\r\n250 PIPELINING");
            }
        }

        /**
         * RFC 3207: 220, then TLS. The switch happens once the 220 is written; a command the client sent behind
         * STARTTLS, before its handshake, is never answered (startTls closes the connection instead).
         */
        private void startTls(String arg) {
            if (tls == null) {
                reply("502 Error: command not implemented");
            } else if (overTls) {
                reply("503 Error: TLS already active");
            } else if (!arg.isEmpty()) {
                reply("501 Syntax: STARTTLS");
            } else {
                reply("220 Ready to start TLS");
                channel.startTls(tls);
                overTls = true;
                helo = null;  // RFC 3207 4.2: forget what the client said before; it says EHLO again
                resetTransaction();
            }
        }

        private void mail(String arg) {
            Matcher path = PATH.matcher(arg);
            if (helo == null) {
                reply("503 Error: send HELO first");
            } else if (tlsRequired && !overTls) {
                reply("530 Must issue a STARTTLS command first");
            } else if (mailFrom != null) {
                reply("503 Error: nested MAIL command");
            } else if (!path.matches() || !path.group(1).equalsIgnoreCase("FROM")) {
                reply("501 Syntax: MAIL FROM:<address>");
            } else if (declaredSize(path.group(3)) > maxMessageBytes) {
                reply("552 Error: message size exceeds fixed maximum message size");
            } else {
                mailFrom = path.group(2);
                reply("250 OK");
            }
        }

        private void rcpt(String arg) {
            Matcher path = PATH.matcher(arg);
            if (mailFrom == null) {
                reply("503 Error: need MAIL command");
            } else if (!path.matches() || !path.group(1).equalsIgnoreCase("TO") || path.group(2).isEmpty()) {
                reply("501 Syntax: RCPT TO:<address>");
            } else if (recipients.size() >= MAX_RECIPIENTS) {
                reply("452 Error: too many recipients");
            } else {
                recipients.add(path.group(2));
                reply("250 OK");
            }
        }

        private void startData(String arg) {
            if (recipients.isEmpty()) {
                reply("503 Error: need RCPT command");
            } else if (!arg.isEmpty()) {
                reply("501 Syntax: DATA");
            } else {
                data = new ByteArrayOutputStream();
                tooBig = false;
                reply("354 End data with <CR><LF>.<CR><LF>");
            }
        }

        private void resetTransaction() {
            mailFrom = null;
            recipients.clear();
            data = null;
        }

        private void reply(String text) {
            channel.push(text + "\r\n");
        }
    }
}
