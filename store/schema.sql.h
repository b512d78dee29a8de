/* schema.sql.h: the SQL of schema version 1 (documented in docs/schema.md). */
#ifndef SS_SCHEMA_SQL_H
#define SS_SCHEMA_SQL_H

/* rtp_streams: one row per RTP stream (source, destination, SSRC) with its statistics, as
 * tshark -z rtp,streams computes them (docs/media.md); aggregates only, never a row per packet.
 * Also run on its own by store/media_store.c so an older version-1 file gains the table. */
#define SCHEMA_RTP_STREAMS                                                                         \
    "CREATE TABLE IF NOT EXISTS rtp_streams ("                                                     \
    " id INTEGER PRIMARY KEY,"                                                                     \
    " call INTEGER NOT NULL," /* calls.id of the call whose SDP announced the flow */              \
    " src TEXT NOT NULL, dst TEXT NOT NULL," /* ip:port ([v6]:port) */                             \
    " ssrc INTEGER NOT NULL,"                                                                      \
    " payload_type INTEGER, codec TEXT, clock_rate INTEGER," /* of the first packet */             \
    " packets INTEGER NOT NULL, expected INTEGER, lost INTEGER, seq_errors INTEGER,"               \
    " min_delta_ms REAL, mean_delta_ms REAL, max_delta_ms REAL,"                                   \
    " min_jitter_ms REAL, mean_jitter_ms REAL, max_jitter_ms REAL,"                                \
    " problem INTEGER NOT NULL DEFAULT 0,"                                                         \
    " first_frame INTEGER, first_ns INTEGER, last_ns INTEGER,"                                     \
    " markers INTEGER, cn_packets INTEGER, dtmf TEXT,"                                             \
    " r_factor REAL, mos REAL);"                                                                   \
    "CREATE INDEX IF NOT EXISTS rtp_streams_call ON rtp_streams(call);"                            \
    "CREATE TRIGGER IF NOT EXISTS calls_delete_rtp AFTER DELETE ON calls BEGIN"                    \
    " DELETE FROM rtp_streams WHERE call = old.id; END;"

/* rtp_packets: with `--store-rtp` only (created on demand, docs/schema.md): one row per RTP/RTCP
 * packet of a call, the UDP payload kept in the spool at spool_off (len bytes). kind 0 RTP, 1 RTCP.
 */
#define SCHEMA_RTP_PACKETS                                                                         \
    "CREATE TABLE IF NOT EXISTS rtp_packets(id INTEGER PRIMARY KEY, call INTEGER NOT NULL,"        \
    " ts_ns INTEGER NOT NULL, kind INTEGER NOT NULL, src TEXT NOT NULL, dst TEXT NOT NULL,"        \
    " spool_off INTEGER NOT NULL, len INTEGER NOT NULL);"                                          \
    "CREATE INDEX IF NOT EXISTS rtp_packets_call ON rtp_packets(call, id);"                        \
    "CREATE TRIGGER IF NOT EXISTS calls_delete_rtp_packets AFTER DELETE ON calls BEGIN"            \
    " DELETE FROM rtp_packets WHERE call = old.id; END;"

/* --rtp-heuristic only (created on demand, docs/schema.md "RTP heuristic"). orphan_rtp_streams: RTP
 * streams the heuristic found that belong to no call: the columns of rtp_streams with the
 * captures.id of the capture they started in instead of a call. rtp_heuristic_streams: the
 * rtp_streams rows the heuristic found and tied to a call by its SDP address (another port). */
#define SCHEMA_RTP_HEURISTIC                                                                       \
    "CREATE TABLE IF NOT EXISTS orphan_rtp_streams ("                                              \
    " id INTEGER PRIMARY KEY,"                                                                     \
    " capture INTEGER NOT NULL," /* captures.id */                                                 \
    " src TEXT NOT NULL, dst TEXT NOT NULL, ssrc INTEGER NOT NULL,"                                \
    " payload_type INTEGER, codec TEXT, clock_rate INTEGER,"                                       \
    " packets INTEGER NOT NULL, expected INTEGER, lost INTEGER, seq_errors INTEGER,"               \
    " min_delta_ms REAL, mean_delta_ms REAL, max_delta_ms REAL,"                                   \
    " min_jitter_ms REAL, mean_jitter_ms REAL, max_jitter_ms REAL,"                                \
    " problem INTEGER NOT NULL DEFAULT 0,"                                                         \
    " first_frame INTEGER, first_ns INTEGER, last_ns INTEGER,"                                     \
    " markers INTEGER, cn_packets INTEGER, dtmf TEXT,"                                             \
    " r_factor REAL, mos REAL);"                                                                   \
    "CREATE INDEX IF NOT EXISTS orphan_rtp_streams_capture ON orphan_rtp_streams(capture);"        \
    "CREATE TRIGGER IF NOT EXISTS captures_delete_orphan_rtp AFTER DELETE ON captures BEGIN"       \
    " DELETE FROM orphan_rtp_streams WHERE capture = old.id; END;"                                 \
    "CREATE TABLE IF NOT EXISTS rtp_heuristic_streams ("                                           \
    " stream INTEGER PRIMARY KEY," /* rtp_streams.id */                                            \
    " call INTEGER NOT NULL);"     /* calls.id */                                                  \
    "CREATE INDEX IF NOT EXISTS rtp_heuristic_streams_call ON rtp_heuristic_streams(call);"        \
    "CREATE TRIGGER IF NOT EXISTS calls_delete_rtp_heuristic AFTER DELETE ON calls BEGIN"          \
    " DELETE FROM rtp_heuristic_streams WHERE call = old.id; END;"

/* hep_messages: for each message a HEP collector stored (`sipscope listen`), the agent that sent
 * it: capture agent id (chunk 12), name (chunk 19), the agent's socket address, HEP version.
 * Keyed by messages.id. Run on its own by ui/cli_listen.c and store/query.c (docs/hep.md). */
#define SCHEMA_HEP                                                                                 \
    "CREATE TABLE IF NOT EXISTS hep_messages ("                                                    \
    " message INTEGER PRIMARY KEY," /* messages.id */                                              \
    " agent_id INTEGER, agent_name TEXT, peer TEXT NOT NULL, version INTEGER NOT NULL);"           \
    "CREATE INDEX IF NOT EXISTS hep_messages_agent ON hep_messages(agent_name, agent_id);"         \
    "CREATE TRIGGER IF NOT EXISTS messages_delete_hep AFTER DELETE ON messages BEGIN"              \
    " DELETE FROM hep_messages WHERE message = old.id; END;"

/* findings: diagnostics of each call (dissect/diag.h, docs/diagnostics.md), computed by
 * `sipscope check` (store/diag_store.c) and cached; findings_calls says which calls were checked by
 * which engine version. Run on its own when diagnostics are first needed. */
#define SCHEMA_FINDINGS                                                                            \
    "CREATE TABLE IF NOT EXISTS findings ("                                                        \
    " call INTEGER NOT NULL,"                         /* calls.id */                               \
    " seq INTEGER NOT NULL,"                          /* 0, 1, ... in rule order */                \
    " rule TEXT NOT NULL, severity INTEGER NOT NULL," /* 1 info, 2 warning, 3 error */             \
    " message TEXT NOT NULL, spec TEXT,"                                                           \
    " msgs TEXT, frames TEXT," /* "3,5": 1-based positions in the call; frame numbers */           \
    " msg_ids TEXT,"           /* their messages.id */                                             \
    " PRIMARY KEY(call, seq)) WITHOUT ROWID;"                                                      \
    "CREATE INDEX IF NOT EXISTS findings_rule ON findings(rule);"                                  \
    "CREATE TABLE IF NOT EXISTS findings_calls (call INTEGER PRIMARY KEY, engine INTEGER NOT "     \
    "NULL);"                                                                                       \
    "CREATE TRIGGER IF NOT EXISTS calls_delete_findings AFTER DELETE ON calls BEGIN"               \
    " DELETE FROM findings WHERE call = old.id; DELETE FROM findings_calls WHERE call = old.id; "  \
    "END;"

/* Version 1 -> 2: spans for the messages already stored, then the index they replace goes. One
 * pass over messages, once. Runs of 256 aligned ids here; readers need only that a span covers
 * its capture's messages between first_id and last_id, not WRITER_SPAN_ROWS. */
#define SCHEMA_MIGRATE_V2                                                                          \
    "INSERT OR IGNORE INTO message_spans SELECT capture, min(id), max(id), min(ts_ns), max(ts_ns)" \
    " FROM messages GROUP BY capture, id >> 8;"                                                    \
    "DROP INDEX IF EXISTS messages_capture_ts;"

/* capture_stats: per-capture message counts, written when the capture ends (`sipscope stats`),
 * and message_spans, which finds a capture's messages by time (time windows, deleting it): for
 * each run of up to WRITER_SPAN_ROWS consecutive message ids of a capture, their first and last id
 * and their earliest and latest ts_ns (a block-range index, written by store/writer.c: one row per
 * few hundred messages where an index on messages(capture, ts_ns) cost a B-tree insert per
 * message). Also run on its own by store/stats.c so an older file gains them. */
#define SCHEMA_CAPTURE_STATS                                                                       \
    "CREATE TABLE IF NOT EXISTS message_spans ("                                                   \
    " capture INTEGER NOT NULL,"                                                                   \
    " first_id INTEGER NOT NULL, last_id INTEGER NOT NULL," /* messages.id, inclusive */           \
    " min_ts INTEGER NOT NULL, max_ts INTEGER NOT NULL,"    /* their ts_ns */                      \
    " PRIMARY KEY(capture, first_id)) WITHOUT ROWID;"                                              \
    "CREATE TABLE IF NOT EXISTS capture_stats ("                                                   \
    " capture INTEGER NOT NULL,"                                                                   \
    " kind TEXT NOT NULL," /* 'messages', 'status', 'method', 'ua' */                              \
    " key NOT NULL,"       /* '' | response code (INTEGER) | method | User-Agent/Server */         \
    " count INTEGER NOT NULL,"                                                                     \
    " PRIMARY KEY(capture, kind, key)) WITHOUT ROWID;"                                             \
    "CREATE TRIGGER IF NOT EXISTS captures_delete_stats AFTER DELETE ON captures BEGIN"            \
    " DELETE FROM capture_stats WHERE capture = old.id; END;"

/* call_media: one row per INVITE call: was there media after the answer, both ways, one way or
 * none (flagged), its main codec, worst MOS and total loss, derived from the call's rtp_streams
 * rows (docs/schema.md "call_media"). Run on its own by store/call_media.c (media_store_new and
 * the commands' database open) so an older version-1 file gains the table. */
#define SCHEMA_CALL_MEDIA                                                                          \
    "CREATE TABLE IF NOT EXISTS call_media ("                                                      \
    " call INTEGER PRIMARY KEY,"           /* calls.id */                                          \
    " answer_ns INTEGER,"                  /* first 2xx to the INVITE; NULL when not answered */   \
    " media TEXT,"                         /* 'both', 'one-way', 'none'; NULL when not answered */ \
    " flagged INTEGER NOT NULL DEFAULT 0," /* answered and media is not 'both' */                  \
    " streams INTEGER NOT NULL,"           /* streams with packets after the answer */             \
    " codec TEXT,"                         /* codec of the stream with most packets */             \
    " packets INTEGER, expected INTEGER,"  /* sums over the call's streams */                      \
    " lost INTEGER,"                       /* sum of each stream's lost, negatives as 0 */         \
    " mos REAL,"                           /* worst stream MOS; NULL without packets */            \
    " max_jitter_ms REAL);"                                                                        \
    "CREATE TRIGGER IF NOT EXISTS calls_delete_call_media AFTER DELETE ON calls BEGIN"             \
    " DELETE FROM call_media WHERE call = old.id; END;"

/* rtcp_reports: RTCP figures per call, reporter (the RTCP packet's source ip:port) and reported
 * SSRC (an RTP stream's): SR/RR report blocks (RFC 3550 §6.4.1) and XR VoIP metrics (RFC 3611
 * §4.7), aggregated as they arrive (docs/schema.md "rtcp_reports"). Run on its own by
 * store/rtcp_store.c so an older version-1 file gains the table. */
#define SCHEMA_RTCP_REPORTS                                                                        \
    "CREATE TABLE IF NOT EXISTS rtcp_reports ("                                                    \
    " call INTEGER NOT NULL, reporter TEXT NOT NULL, ssrc INTEGER NOT NULL,"                       \
    " reports INTEGER NOT NULL DEFAULT 0,"                                                         \
    " fraction_lost REAL, max_fraction_lost REAL, cum_lost INTEGER,"                               \
    " jitter INTEGER, max_jitter INTEGER," /* RTP timestamp units */                               \
    " rtt_n INTEGER NOT NULL DEFAULT 0, rtt_sum_ms REAL NOT NULL DEFAULT 0,"                       \
    " rtt_min_ms REAL, rtt_max_ms REAL,"                                                           \
    " xr_reports INTEGER NOT NULL DEFAULT 0, xr_loss_rate REAL, xr_discard_rate REAL,"             \
    " xr_rtt_ms INTEGER, xr_end_delay_ms INTEGER, xr_r_factor INTEGER,"                            \
    " xr_mos_lq REAL, xr_mos_cq REAL,"                                                             \
    " first_ns INTEGER, last_ns INTEGER,"                                                          \
    " PRIMARY KEY(call, reporter, ssrc));"                                                         \
    "CREATE TRIGGER IF NOT EXISTS calls_delete_rtcp AFTER DELETE ON calls BEGIN"                   \
    " DELETE FROM rtcp_reports WHERE call = old.id; END;"

/* message_tunnels: for a SIP message that came out of a tunnel (GRE, ERSPAN, VXLAN, GTP-U,
 * IP-in-IP; docs/transports.md), the outermost tunnel and addresses; messages.src/dst hold the
 * inner ones. Run on its own by store/tunnel_store.c when the database opens. */
#define SCHEMA_MESSAGE_TUNNELS                                                                     \
    "CREATE TABLE IF NOT EXISTS message_tunnels ("                                                 \
    " message INTEGER PRIMARY KEY," /* messages.id */                                              \
    " encap TEXT NOT NULL,"         /* 'GRE', 'ERSPAN', 'VXLAN', 'GTP-U', 'IPIP' (outermost) */    \
    " depth INTEGER NOT NULL,"      /* tunnels crossed */                                          \
    " outer_src TEXT NOT NULL, outer_dst TEXT NOT NULL);" /* ip:port (port 0 without UDP) */       \
    "CREATE TRIGGER IF NOT EXISTS messages_delete_tunnel AFTER DELETE ON messages BEGIN"           \
    " DELETE FROM message_tunnels WHERE message = old.id; END;"

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
    "CREATE INDEX IF NOT EXISTS sdp_media_message ON sdp_media(message);" SCHEMA_CAPTURE_STATS
        SCHEMA_RTP_STREAMS SCHEMA_CALL_MEDIA SCHEMA_RTCP_REPORTS;

#endif
