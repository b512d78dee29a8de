/* schema.sql.h: the SQL of schema version 1 (documented in docs/schema.md). */
#ifndef SS_SCHEMA_SQL_H
#define SS_SCHEMA_SQL_H

static const char SCHEMA_V1[] =
    "CREATE TABLE IF NOT EXISTS captures ("
    " id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL," /* file name as given, or interface */
    " hash TEXT,"          /* content hash of the (decompressed) file, set when complete */
    " quick TEXT,"         /* hash of the first 64 KiB and the size: finds candidates */
    " size INTEGER,"       /* bytes read */
    " linktype INTEGER,"
    " started_at INTEGER,"                  /* import start, epoch ns */
    " complete INTEGER NOT NULL DEFAULT 0," /* 0 importing/interrupted, 1 done, 2 read error */
    " packets INTEGER, sip_messages INTEGER, calls INTEGER,"
    " first_ns INTEGER, last_ns INTEGER);"
    "CREATE INDEX IF NOT EXISTS captures_hash ON captures(hash);"
    "CREATE INDEX IF NOT EXISTS captures_quick ON captures(quick);"
    "CREATE TABLE IF NOT EXISTS calls ("
    " id INTEGER PRIMARY KEY,"
    " capture INTEGER NOT NULL,"
    " call_id TEXT NOT NULL,"
    " method TEXT," /* first request's method */
    " from_uri TEXT, to_uri TEXT,"
    " src TEXT, dst TEXT," /* ip:port of the first request */
    " transport TEXT,"
    " start_ns INTEGER NOT NULL, end_ns INTEGER NOT NULL,"
    " messages INTEGER NOT NULL,"
    " final_status INTEGER," /* NULL when none */
    " state TEXT,"
    " init_cseq INTEGER,"
    " invite_ns INTEGER, ring_ns INTEGER, answer_ns INTEGER, bye_ns INTEGER,"
    " cancel_seen INTEGER NOT NULL DEFAULT 0,"
    " rtp_streams INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX IF NOT EXISTS calls_start ON calls(start_ns);"
    "CREATE INDEX IF NOT EXISTS calls_call_id ON calls(call_id);"
    "CREATE INDEX IF NOT EXISTS calls_capture ON calls(capture, start_ns);"
    "CREATE TABLE IF NOT EXISTS messages ("
    " id INTEGER PRIMARY KEY," /* capture order */
    " call INTEGER,"           /* calls.id; NULL when the message has no Call-ID */
    " capture INTEGER NOT NULL,"
    " frame INTEGER NOT NULL," /* frame number in the capture (the one that completed it) */
    " idx INTEGER NOT NULL,"   /* index of the message within that frame */
    " ts_ns INTEGER NOT NULL,"
    " src TEXT NOT NULL, dst TEXT NOT NULL,"
    " transport TEXT NOT NULL,"
    " method TEXT,"    /* requests */
    " status INTEGER," /* responses */
    " reason TEXT,"
    " cseq INTEGER, cseq_method TEXT,"
    " flags INTEGER NOT NULL," /* docs/schema.md: 1 retransmission, 2 sdp, 4 malformed, ... */
    " ua TEXT,"                /* User-Agent, else Server header value */
    " raw_off INTEGER NOT NULL, raw_len INTEGER NOT NULL);" /* bytes in the spool file */
    "CREATE INDEX IF NOT EXISTS messages_call ON messages(call);"
    "CREATE TABLE IF NOT EXISTS sdp_media ("
    " message INTEGER NOT NULL," /* messages.id */
    " idx INTEGER NOT NULL,"     /* m= line number, 0-based */
    " media TEXT, addr TEXT, port INTEGER, proto TEXT, formats TEXT, direction TEXT,"
    " rtcp_port INTEGER);"
    "CREATE INDEX IF NOT EXISTS sdp_media_message ON sdp_media(message);";

#endif
