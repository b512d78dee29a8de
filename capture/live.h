/* live.h: live capture from a network interface through libpcap (pcap_create/pcap_activate,
 * BPF, pcap_dispatch; see pcap(3PCAP)) on a dedicated capture thread that copies each frame once
 * into an SPSC ring (capture/ring.h) read by the dissect/store thread. A full ring drops the
 * frame and counts it: the capture thread never waits. */
#ifndef SS_LIVE_H
#define SS_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissect/frame.h"

#define CAP_LIVE_SNAPLEN    262144              /* whole frames, also 64 KiB loopback ones */
#define CAP_LIVE_BUFFER_KIB (32 * 1024)         /* kernel buffer */
#define CAP_LIVE_RING_BYTES (64u * 1024 * 1024) /* ring between the threads */
#define CAP_LIVE_TIMEOUT_MS 100                 /* libpcap packet buffer timeout */
#define CAP_LIVE_STATS_MS   250                 /* pcap_stats read this often for cap_live_peek */
/* Default filter: all UDP and TCP. libpcap's "udp"/"tcp" test the IPv4 protocol field, so IPv4
 * fragments after the first (no UDP header) match too, and IPv6 ones whose Fragment header comes
 * first (checked on tests/data/{pub09,new03,new06}*: every fragment passes). */
#define CAP_LIVE_DEFAULT_FILTER "udp or tcp"

struct cap_live_opts {
    const char *device;   /* interface name, or "any" */
    int buffer_kib;       /* 0 = CAP_LIVE_BUFFER_KIB */
    size_t ring_bytes;    /* 0 = CAP_LIVE_RING_BYTES */
    bool no_promisc;      /* -p: do not put the interface into promiscuous mode */
    uint64_t max_packets; /* stop after this many frames; 0 = no limit */
};

struct cap_live_stats {
    uint64_t received;     /* frames libpcap gave us (all of them are in the -w file) */
    uint64_t ring_drops;   /* of those, frames the full ring refused (not dissected) */
    uint64_t kernel_drops; /* pcap_stats ps_drop: no room in the kernel buffer */
    uint64_t if_drops;     /* pcap_stats ps_ifdrop: dropped by the interface or its driver */
};

struct cap_live;

/* Opens and activates the device (do this first, while privileged). On failure returns NULL with
 * one line "DEVICE: reason" in err. A libpcap warning (the capture works) goes to warn (else
 * warn[0] = '\0'). */
struct cap_live *cap_live_open(const struct cap_live_opts *o, char *warn, size_t warnlen, char *err,
                               size_t errlen);
/* Compiles and sets a BPF filter (NULL = CAP_LIVE_DEFAULT_FILTER). Returns 0, or -1 with libpcap's
 * message in err (a bad expression: a usage error). */
int cap_live_set_filter(struct cap_live *l, const char *expr, char *err, size_t errlen);
/* Creates the -w pcap file (written by the capture thread, every frame as it arrives, before the
 * ring: the file is the ground truth of what was captured). Returns 0 or -1 with "PATH: reason". */
int cap_live_open_dump(struct cap_live *l, const char *path, char *err, size_t errlen);
/* LINKTYPE_* of the device. */
int cap_live_linktype(const struct cap_live *l);

/* Starts the capture thread (with every signal blocked in it). Returns 0 or -1 with err. */
int cap_live_start(struct cap_live *l, char *err, size_t errlen);
/* Consumer: the next frame (data valid until cap_live_release). Returns 1 for a frame, 0 when none
 * is waiting now, -1 when the capture thread has ended and every frame was taken. */
int cap_live_next(struct cap_live *l, struct frame *f);
void cap_live_release(struct cap_live *l);
/* Asks the capture thread to stop (safe to call more than once); it reads what the kernel
 * still holds, then ends. */
void cap_live_stop(struct cap_live *l);
/* Waits for the capture thread, fills the statistics. Returns 0, or -1 when the capture ended
 * on an error (interface gone, -w write error) with "DEVICE: reason" in err. */
int cap_live_join(struct cap_live *l, struct cap_live_stats *st, char *err, size_t errlen);
/* The statistics so far, from any thread while the capture runs (relaxed atomics: for display).
 * received and ring_drops are current; the kernel's and the interface's figures are refreshed by
 * the capture thread every CAP_LIVE_STATS_MS. */
void cap_live_peek(struct cap_live *l, struct cap_live_stats *st);
/* Closes everything (joins the thread first if still running). */
void cap_live_close(struct cap_live *l);

/* Switches to an unprivileged user (-Z USER, as tcpdump): supplementary groups, group, user;
 * checks root cannot be regained. Returns 0 or -1 with a one-line reason. */
int cap_drop_privileges(const char *user, char *err, size_t errlen);

#endif
