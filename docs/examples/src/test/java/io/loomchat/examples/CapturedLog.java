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
public final class CapturedLog implements AutoCloseable {
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
    public static CapturedLog of(String name) {
        return new CapturedLog(name);
    }

    public static CapturedLog of(Class<?> type) {
        return of(type.getName());
    }

    /** Returns the events logged so far. */
    List<ILoggingEvent> events() {
        return List.copyOf(appender.list);
    }

    /** {@return the messages logged so far, at every level} */
    public List<String> messages() {
        return events().stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    /** {@return the messages logged at WARN so far} */
    public List<String> warnings() {
        return events().stream().filter(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN)
                .map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        logger.setAdditive(additive);
        appender.stop();
    }
}
