package io.loomchat.examples.pg;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The backend messages of PostgreSQL's protocol 3.0 that {@link PgServer} sends, as bytes: a type byte, an int32
 * length that counts itself and the body, then the body. Text is UTF-8; strings in a body end with a zero byte.
 */
final class PgMessages {
    /** The type oids the example's columns have (pg_type.dat). */
    static final int INT4 = 23;
    static final int TEXT = 25;
    static final int TIMESTAMPTZ = 1184;

    /** SQLSTATEs sent (PostgreSQL's errcodes.txt). */
    static final String SYNTAX_ERROR = "42601";
    static final String FEATURE_NOT_SUPPORTED = "0A000";
    static final String PROTOCOL_VIOLATION = "08P01";
    static final String PROGRAM_LIMIT_EXCEEDED = "54000";
    static final String UNDEFINED_TABLE = "42P01";
    static final String UNDEFINED_COLUMN = "42703";
    static final String DUPLICATE_TABLE = "42P07";
    static final String DUPLICATE_COLUMN = "42701";
    static final String UNIQUE_VIOLATION = "23505";
    static final String INVALID_AUTHORIZATION = "28000";

    private static final byte[] AUTHENTICATION_OK = message('R').int32(0).bytes();
    private static final byte[] EMPTY_QUERY = message('I').bytes();

    private PgMessages() {
    }

    /** {@return AuthenticationOk: the client is in, without a password ("trust")} */
    static byte[] authenticationOk() {
        return AUTHENTICATION_OK.clone();
    }

    /** {@return ParameterStatus: a run-time parameter's value, such as {@code client_encoding}} */
    static byte[] parameterStatus(String name, String value) {
        return message('S').string(name).string(value).bytes();
    }

    /** {@return BackendKeyData: what a CancelRequest for this connection must quote} */
    static byte[] backendKeyData(int processId, int secret) {
        return message('K').int32(processId).int32(secret).bytes();
    }

    /** {@return ReadyForQuery, idle outside a transaction} */
    static byte[] readyForQuery() {
        return message('Z').int8('I').bytes();
    }

    /** {@return RowDescription: the columns of the rows that follow, all in text format} */
    static byte[] rowDescription(List<Column> columns) {
        Builder message = message('T').int16(columns.size());
        for (Column column : columns) {
            // no table (0, 0), the type, its size (-1: variable), no modifier (-1), text format (0)
            message.string(column.name()).int32(0).int16(0).int32(column.type()).int16(column.size()).int32(-1)
                    .int16(0);
        }
        return message.bytes();
    }

    /** {@return DataRow: one row's values as text, a null one as length -1} */
    static byte[] dataRow(List<String> values) {
        Builder message = message('D').int16(values.size());
        for (String value : values) {
            if (value == null) {
                message.int32(-1);
            } else {
                byte[] text = value.getBytes(StandardCharsets.UTF_8);
                message.int32(text.length).raw(text);
            }
        }
        return message.bytes();
    }

    /** {@return CommandComplete with its tag, such as {@code SELECT 1} or {@code INSERT 0 2}} */
    static byte[] commandComplete(String tag) {
        return message('C').string(tag).bytes();
    }

    /** {@return EmptyQueryResponse: the query string held no statement} */
    static byte[] emptyQueryResponse() {
        return EMPTY_QUERY.clone();
    }

    /** {@return an ErrorResponse of severity ERROR: the statement failed, the connection goes on} */
    static byte[] error(String sqlState, String text) {
        return errorResponse("ERROR", sqlState, text);
    }

    /** {@return an ErrorResponse of severity FATAL: the server closes the connection after it} */
    static byte[] fatal(String sqlState, String text) {
        return errorResponse("FATAL", sqlState, text);
    }

    private static byte[] errorResponse(String severity, String sqlState, String text) {
        // S: severity (localized), V: severity (never localized), C: SQLSTATE, M: message; a zero byte ends them.
        return message('E').int8('S').string(severity).int8('V').string(severity).int8('C').string(sqlState)
                .int8('M').string(text).int8(0).bytes();
    }

    /** A column of a result: its name and type oid. */
    record Column(String name, int type) {
        int size() {
            return switch (type) {
                case INT4 -> 4;
                case TIMESTAMPTZ -> 8;
                default -> -1;
            };
        }
    }

    private static Builder message(char type) {
        return new Builder(type);
    }

    /** Writes one message: the type byte, room for the length, then the body; {@link #bytes} fills the length in. */
    private static final class Builder {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream(64);

        Builder(char type) {
            out.write(type);
            int32(0);
        }

        Builder int8(int value) {
            out.write(value);
            return this;
        }

        Builder int16(int value) {
            out.write(value >>> 8);
            out.write(value);
            return this;
        }

        Builder int32(int value) {
            int16(value >>> 16);
            return int16(value);
        }

        Builder string(String text) {
            out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
            out.write(0);
            return this;
        }

        Builder raw(byte[] bytes) {
            out.writeBytes(bytes);
            return this;
        }

        byte[] bytes() {
            byte[] message = out.toByteArray();
            int length = message.length - 1; // counts itself, not the type byte
            message[1] = (byte) (length >>> 24);
            message[2] = (byte) (length >>> 16);
            message[3] = (byte) (length >>> 8);
            message[4] = (byte) length;
            return message;
        }
    }
}
