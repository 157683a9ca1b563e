package io.loomchat.examples;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Keeps what one logger logs while open, instead of printing it, so a test can assert on an expected warning
 * and the build output stays quiet.
 */
final class CapturedLog implements AutoCloseable {
    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final boolean additive;

    private CapturedLog(String name) {
        logger = (Logger) LoggerFactory.getLogger(name);
        additive = logger.isAdditive();
        appender.start();
        logger.addAppender(appender);
        logger.setAdditive(false);
    }

    /** Starts capturing the logger named {@code name} and its children. */
    static CapturedLog of(String name) {
        return new CapturedLog(name);
    }

    static CapturedLog of(Class<?> type) {
        return of(type.getName());
    }

    /** Returns the events logged so far. */
    List<ILoggingEvent> events() {
        return List.copyOf(appender.list);
    }

    /** {@return the messages of the events so far, at every level} */
    List<String> messages() {
        return events().stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    /** {@return the messages of the WARN events so far, each with its exception's message if it has one} */
    List<String> warnings() {
        return events().stream().filter(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN)
                .map(e -> e.getFormattedMessage()
                        + (e.getThrowableProxy() == null ? "" : " | " + e.getThrowableProxy().getMessage()))
                .toList();
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        logger.setAdditive(additive);
        appender.stop();
    }
}
