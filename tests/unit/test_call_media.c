/* test_call_media.c: the per-call media verdict (store/call_media.c cm_summarize): both ways with
 * symmetric RTP and with asymmetric ports (addresses swapped), one way, none when the only
 * streams ended before the answer (early media), no verdict when not answered; the main codec
 * skips telephone-event and CN; negative losses (duplicates) count 0; the worst MOS. */
#include <string.h>

#include "check.h"
#include "store/call_media.h"

#define ANS 1000

static void test_verdicts(void)
{
    struct cm_summary m;
    const struct cm_stream sym[] = {
        {"10.0.0.1:4000", "10.0.0.2:5000", "PCMA/8000", 50, 52, 2, 2000, 4.1, 3.0},
        {"10.0.0.2:5000", "10.0.0.1:4000", "PCMA/8000", 49, 48, -1, 2000, 4.4, 1.0},
    };
    cm_summarize(sym, 2, ANS, &m);
    CHECK(m.media == CM_BOTH && !m.flagged && m.streams == 2);
    CHECK(strcmp(m.codec, "PCMA/8000") == 0);
    CHECK_EQ_INT(m.lost, 2);
    CHECK_EQ_INT(m.packets, 99);
    CHECK(m.mos == 4.1 && m.max_jitter_ms == 3.0);
    CHECK(strcmp(cm_media_name(m.media), "both") == 0);

    const struct cm_stream asym[] = {
        {"10.0.0.1:4002", "10.0.0.2:5000", "PCMU/8000", 50, 50, 0, 2000, 4.4, 1.0},
        {"10.0.0.2:5002", "10.0.0.1:4000", "PCMU/8000", 50, 50, 0, 2000, 4.4, 1.0},
    };
    cm_summarize(asym, 2, ANS, &m);
    CHECK(m.media == CM_BOTH);

    cm_summarize(sym, 1, ANS, &m);
    CHECK(m.media == CM_ONE_WAY && m.flagged && m.streams == 1);
    CHECK(strcmp(cm_media_name(m.media), "one-way") == 0);

    const struct cm_stream early[] = {
        {"10.0.0.2:5000", "10.0.0.1:4000", "PCMA/8000", 40, 40, 0, 900, 4.4, 1.0},
    };
    cm_summarize(early, 1, ANS, &m);
    CHECK(m.media == CM_NONE && m.flagged && m.streams == 0);
    CHECK(strcmp(m.codec, "PCMA/8000") == 0); /* the call's codec all the same */

    cm_summarize(NULL, 0, ANS, &m);
    CHECK(m.media == CM_NONE && m.flagged && m.mos < 0 && m.codec[0] == '\0');

    cm_summarize(sym, 2, 0, &m);
    CHECK(m.media == CM_NOT_ANSWERED && !m.flagged && cm_media_name(m.media) == NULL);
    CHECK_EQ_INT(m.lost, 2);
}

static void test_codec(void)
{
    struct cm_summary m;
    const struct cm_stream s[] = {
        {"a:1", "b:2", "telephone-event/8000", 90, 90, 0, 2000, -1, 0},
        {"a:1", "b:2", "CN/8000", 80, 80, 0, 2000, -1, 0},
        {"a:1", "b:2", "G722/8000", 70, 70, 0, 2000, 3.9, 0},
        {"b:2", "a:1", "opus/48000", 60, 60, 0, 2000, 4.2, 0},
    };
    cm_summarize(s, 4, ANS, &m);
    CHECK(strcmp(m.codec, "G722/8000") == 0);
    CHECK(m.mos == 3.9 && m.media == CM_BOTH);
}

int main(void)
{
    test_verdicts();
    test_codec();
    return check_done();
}
