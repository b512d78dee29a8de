/* sip_codes.c: the SIP response-code table (RFC 3261 §21 and the IANA SIP Response Codes registry,
 * with the RFCs it names) and the class rules for unknown codes (RFC 3261 §8.1.3.2, §7.2).
 */
#include "dissect/sip_codes.h"
#include "dissect/banned.h"

/* Lowest and highest response codes (RFC 3261 §7.2: Status-Code is 3DIGIT, classes 1xx-6xx). */
#define SIP_CODE_MIN 100
#define SIP_CODE_MAX 699
/* The code an unknown provisional response other than 100 is treated as (RFC 3261 §8.1.3.2). */
#define SIP_CODE_UNKNOWN_1XX 183

/* Every code in the IANA registry, sorted by code. The reason phrase and reference are the
 * registry's; meaning and action are ours. */
static const struct sip_code_info sip_codes[] = {
    /* 1xx Provisional */
    {100, "Trying", "RFC 3261",
     "The next hop received the request and is working on it. It is hop-by-hop (never from the "
     "callee) and stops the client's retransmissions of an INVITE.",
     "Nothing: keep waiting for a further provisional or a final response (the transaction "
     "timeout still runs)."},
    {180, "Ringing", "RFC 3261", "The callee's user agent is alerting the user.",
     "Play local ringback unless early media is arriving; wait for the final response, or send "
     "CANCEL to give up."},
    {181, "Call Is Being Forwarded", "RFC 3261",
     "A proxy or the callee is forwarding the call to a different set of destinations.",
     "Informational only: keep waiting for the final response."},
    {182, "Queued", "RFC 3261",
     "The callee is temporarily unavailable and the server queued the call instead of rejecting "
     "it; the reason phrase may tell the queue position.",
     "Keep waiting (further 182s update the position), or send CANCEL to give up."},
    {183, "Session Progress", "RFC 3261",
     "Call progress not otherwise classified, often with an SDP answer for early media "
     "(announcements, in-band ringback). Unknown 1xx codes other than 100 are treated as 183.",
     "Play the early media if SDP came with it (send PRACK if the response was reliable, RFC "
     "3262); keep waiting for the final response."},
    {199, "Early Dialog Terminated", "RFC 6228",
     "A forking proxy or the callee says that one early dialog has ended before the final "
     "response is sent; other branches may still answer.",
     "Release what that early dialog held (its early media stream); keep waiting on the INVITE "
     "for the other branches."},
    /* 2xx Success */
    {200, "OK", "RFC 3261",
     "The request succeeded. For INVITE the session is established and the body carries the "
     "answer (or an offer).",
     "For INVITE, send an ACK for every 2xx received (forked branches may each send one) and "
     "BYE the dialogs you do not want; other requests are done."},
    {202, "Accepted (Deprecated)", "RFC 6665",
     "The request was accepted but processing is not complete. RFC 6665 deprecates it for "
     "SUBSCRIBE in favour of 200; it is still common as the answer to REFER (RFC 3515).",
     "Treat it exactly as 200: the subscription or REFER was accepted, and the outcome arrives "
     "in the NOTIFY requests that follow."},
    {204, "No Notification", "RFC 5839",
     "A conditional SUBSCRIBE refresh succeeded and, because the entity-tag still matches the "
     "notifier's state, no NOTIFY will follow.",
     "Keep the subscription and the state already held; refresh again before it expires."},
    /* 3xx Redirection */
    {300, "Multiple Choices", "RFC 3261",
     "The address resolved to several locations, listed in Contact (possibly with q-values).",
     "Pick one or more Contact URIs (by q-value or by asking the user) and send the request "
     "there."},
    {301, "Moved Permanently", "RFC 3261",
     "The user is no longer at the Request-URI; the new address is in Contact.",
     "Retry at the Contact address and update address books and caches with it."},
    {302, "Moved Temporarily", "RFC 3261",
     "The user is temporarily reachable at the Contact address(es); Expires bounds how long that "
     "holds.",
     "Retry at the Contact address; cache it no longer than Expires says."},
    {305, "Use Proxy", "RFC 3261",
     "The resource must be reached through the proxy given in Contact; only a UAS may send it.",
     "Repeat this one request through the proxy in Contact, or refuse to if local security "
     "policy distrusts the redirection."},
    {380, "Alternative Service", "RFC 3261",
     "The call failed, but alternative services, described in the message body, are possible.",
     "Read the body for the alternatives and offer them to the user; nothing is retried "
     "automatically."},
    /* 4xx Client Failure */
    {400, "Bad Request", "RFC 3261",
     "The request could not be understood because of malformed syntax; the reason phrase should "
     "name the problem. Unknown 4xx codes are treated as 400.",
     "Fix the request as the reason phrase or Warning header says before sending it again; "
     "resent unchanged it fails the same way."},
    {401, "Unauthorized", "RFC 3261",
     "The request needs user authentication; the WWW-Authenticate header carries the challenge "
     "(realm, nonce). Sent by user agents and registrars.",
     "Retry the request with credentials: an Authorization header computed from the challenge, a "
     "new CSeq, the same Call-ID. A second 401 means the credentials were refused."},
    {402, "Payment Required", "RFC 3261",
     "Reserved for future use; some services send it when the account has no credit.",
     "Do not retry until the account situation changes."},
    {403, "Forbidden", "RFC 3261",
     "The server understood the request but refuses to fulfil it, and authentication will not "
     "help. STIR verifiers also send it as 403 Stale Date (RFC 8224).",
     "Do not retry with the same credentials: the request is refused by policy (check the "
     "account, dial plan or allowed destinations)."},
    {404, "Not Found", "RFC 3261",
     "The user does not exist at the domain in the Request-URI, or the domain is not served by "
     "the recipient.",
     "Do not retry the same URI; check the number or address."},
    {405, "Method Not Allowed", "RFC 3261",
     "The method is understood but not allowed for this address; the Allow header lists the "
     "allowed methods.",
     "Use one of the methods in Allow, or give up on this operation."},
    {406, "Not Acceptable", "RFC 3261",
     "The resource can only produce content that the Accept headers of the request do not "
     "accept.",
     "Widen Accept, Accept-Encoding or Accept-Language and retry, or give up."},
    {407, "Proxy Authentication Required", "RFC 3261",
     "Like 401, but the client must authenticate with a proxy; Proxy-Authenticate carries the "
     "challenge.",
     "Retry the request with a Proxy-Authorization header answering the challenge (new CSeq). A "
     "second 407 means the credentials were refused."},
    {408, "Request Timeout", "RFC 3261",
     "No final response in time, e.g. the user could not be located. A client also reports 408 "
     "itself when its transaction timer fires without any answer.",
     "Retry later; if the timeout was local, the next hop never answered, so check "
     "reachability. A 408 to a request within a dialog should end the dialog (RFC 3261 "
     "§12.2.1.2)."},
    {410, "Gone", "RFC 3261",
     "The user existed here but is no longer available, and no forwarding address is known.",
     "Do not retry; remove the address from records."},
    {412, "Conditional Request Failed", "RFC 3903",
     "A conditional PUBLISH failed: its SIP-If-Match entity-tag matches no current event state "
     "(it expired or never existed).",
     "Send a fresh initial PUBLISH, without SIP-If-Match, carrying the full state."},
    {413, "Request Entity Too Large", "RFC 3261",
     "The request body is larger than the server is willing or able to process.",
     "If Retry-After is present the condition is temporary: retry after it; otherwise shrink or "
     "drop the body."},
    {414, "Request-URI Too Long", "RFC 3261",
     "The Request-URI is longer than the server is willing to interpret.",
     "Shorten the Request-URI (fewer parameters or embedded headers) and retry."},
    {415, "Unsupported Media Type", "RFC 3261",
     "The body's format, encoding or language is not supported for this method; the response "
     "lists what is in Accept, Accept-Encoding or Accept-Language.",
     "Resend with a body the response's Accept headers allow, or without the body."},
    {416, "Unsupported URI Scheme", "RFC 3261",
     "The server does not understand the scheme of the Request-URI.",
     "Retry with a scheme the server supports (usually sip: or sips:), or give up."},
    {417, "Unknown Resource-Priority", "RFC 4412",
     "The request required resource-priority, but the server understands none of the namespaces "
     "in its Resource-Priority header.",
     "Retry with a namespace from the response's Accept-Resource-Priority header, or without "
     "requiring priority."},
    {420, "Bad Extension", "RFC 3261",
     "The server does not understand an option tag listed in Require or Proxy-Require; the "
     "Unsupported header names it.",
     "Retry without the extensions named in Unsupported."},
    {421, "Extension Required", "RFC 3261",
     "The server needs an extension (named in its Require header) that the request did not list "
     "in Supported.",
     "If the client implements it, retry listing it in Supported (e.g. 100rel, timer); "
     "otherwise give up."},
    {422, "Session Interval Too Small", "RFC 4028",
     "The Session-Expires of the request is below the server's minimum, which the response's "
     "Min-SE header gives.",
     "Retry with Session-Expires (and Min-SE) at least the Min-SE value of the response."},
    {423, "Interval Too Brief", "RFC 3261",
     "The expiration time asked for a resource (e.g. the Expires of a registration) is too "
     "short; Min-Expires gives the minimum.",
     "Retry with Expires raised to at least the Min-Expires value of the response."},
    {424, "Bad Location Information", "RFC 6442",
     "The location information in the request (Geolocation header or body) was malformed or not "
     "good enough; Geolocation-Error says why.",
     "Fix the location as the Geolocation-Error code says and retry."},
    {425, "Bad Alert Message", "RFC 8876",
     "The alert payload (e.g. a CAP message) of a non-interactive emergency call could not be "
     "processed; AlertMsg-Error gives the details.",
     "Correct the alert payload as AlertMsg-Error says before resending; unchanged it fails "
     "again."},
    {428, "Use Identity Header", "RFC 8224",
     "The verifier requires an Identity header (a STIR/SHAKEN signature) and the request had "
     "none it could use.",
     "Resend through an authentication service that adds a valid Identity header."},
    {429, "Provide Referrer Identity", "RFC 3892",
     "The recipient of a REFER requires a signed Referred-By token and none was provided.",
     "Repeat the REFER with a signed Referred-By token identifying the referrer."},
    {430, "Flow Failed", "RFC 5626",
     "An edge proxy could not deliver the request over the outbound flow that the registration "
     "named; other flows to the same instance may still work.",
     "The authoritative proxy should try another flow or contact of the same instance; a "
     "calling UA normally never sees it."},
    {433, "Anonymity Disallowed", "RFC 5079",
     "The callee refuses requests whose identity was withheld (anonymous From, Privacy).",
     "Retry with the caller's identity shown if the caller agrees; otherwise give up."},
    {436, "Bad Identity Info", "RFC 8224",
     "The verifier could not obtain the credential (e.g. the certificate at the info URI) for "
     "any Identity header of the request.",
     "Make the info URI of the Identity header reachable and pointing at a valid credential, "
     "then resend."},
    {437, "Unsupported Credential", "RFC 8224",
     "The verifier obtained the credential but does not support or trust it (formerly "
     "Unsupported Certificate).",
     "Sign with a credential the verifier trusts; the same signature fails again."},
    {438, "Invalid Identity Header", "RFC 8224",
     "The signature in the Identity header did not validate: the PASSporT claims do not match "
     "the request, or the signature is wrong.",
     "Re-sign the request correctly, and check that nothing on the path rewrites From, To or "
     "Date after signing."},
    {439, "First Hop Lacks Outbound Support", "RFC 5626",
     "The registrar supports SIP Outbound but the first-hop proxy does not, so the outbound "
     "registration failed.",
     "Register again without Outbound (no reg-id), or through an edge proxy that supports it."},
    {440, "Max-Breadth Exceeded", "RFC 5393",
     "A proxy could not fork the request because the remaining Max-Breadth was too small for the "
     "parallel forking needed.",
     "Retry with a larger Max-Breadth only if the forking is legitimate; otherwise narrow the "
     "target set."},
    {469, "Bad Info Package", "RFC 6086",
     "The Info-Package of an INFO request is not one the receiver declared in Recv-Info; the "
     "dialog is not affected.",
     "Stop sending that package in this dialog; use only packages the peer lists in Recv-Info."},
    {470, "Consent Needed", "RFC 5360",
     "A relay (e.g. a URI-list server) needs permission from recipients who have not given it; "
     "Permission-Missing lists them.",
     "Ask the listed recipients for permission (RFC 5360 consent framework) and retry once it "
     "is granted."},
    {480, "Temporarily Unavailable", "RFC 3261",
     "The callee's end system was contacted or is known, but the callee is currently unavailable "
     "(not registered, do not disturb).",
     "Retry later, not before Retry-After if the response has one."},
    {481, "Call/Transaction Does Not Exist", "RFC 3261",
     "The request matches no dialog or transaction the server knows, e.g. a BYE or re-INVITE for "
     "a dialog it already ended.",
     "Consider the dialog gone and end it locally: a 481 to a request within a dialog should end "
     "the dialog (RFC 3261 §12.2.1.2)."},
    {482, "Loop Detected", "RFC 3261",
     "The server received a request it had already forwarded (its own Via in the path).",
     "Fix the routing (Route headers, forwarding rules); resending loops again."},
    {483, "Too Many Hops", "RFC 3261", "The request arrived with Max-Forwards at 0.",
     "Look for a routing loop or an overly long proxy chain; retry only with a deliberately "
     "larger Max-Forwards."},
    {484, "Address Incomplete", "RFC 3261",
     "The Request-URI is incomplete, typically with overlap dialling: more digits are needed.",
     "Collect the rest of the address and retry with the completed Request-URI."},
    {485, "Ambiguous", "RFC 3261",
     "The Request-URI is ambiguous; the response may list candidate addresses in Contact.",
     "Choose one of the Contact addresses (ask the user) and retry with it."},
    {486, "Busy Here", "RFC 3261",
     "The callee's end system was reached but the callee is not willing or able to take another "
     "call there; other end systems of the user may still answer.",
     "Do not retry at once: try later (after Retry-After if given) or another destination such as "
     "voicemail."},
    {487, "Request Terminated", "RFC 3261",
     "The request was ended by a BYE or CANCEL; the normal answer to a cancelled INVITE.",
     "Nothing: expected after the client's own CANCEL (the transaction layer ACKs it)."},
    {488, "Not Acceptable Here", "RFC 3261",
     "Some aspect of the session description (codecs, media, bandwidth, addressing) is not "
     "acceptable here; a Warning header says what.",
     "Retry with a different offer that fits the Warning (e.g. other codecs), or give up."},
    {489, "Bad Event", "RFC 6665",
     "The server does not understand the event package in the Event header of a SUBSCRIBE or "
     "NOTIFY.",
     "Use an event package from the response's Allow-Events header, or give up."},
    {491, "Request Pending", "RFC 3261",
     "The server has a request of its own pending in the same dialog (glare, e.g. crossing "
     "re-INVITEs).",
     "Retry after a random wait: 2.1 to 4 s if the client owns the Call-ID, else 0 to 2 s (RFC "
     "3261 §14.1)."},
    {493, "Undecipherable", "RFC 3261",
     "The request had an S/MIME body the recipient cannot decrypt (no suitable key).",
     "Resend unencrypted, or encrypted for a key the recipient has (the response may carry its "
     "certificate)."},
    {494, "Security Agreement Required", "RFC 3329",
     "The server requires a security mechanism agreement and lists the mechanisms it offers in "
     "Security-Server.",
     "Choose a mechanism from Security-Server, set it up (e.g. TLS, IPsec) and resend with "
     "Security-Verify."},
    /* 5xx Server Failure */
    {500, "Server Internal Error", "RFC 3261",
     "The server met an unexpected condition. Unknown 5xx codes are treated as 500.",
     "Retry later (after Retry-After if given) or through another server."},
    {501, "Not Implemented", "RFC 3261",
     "The server does not support the method at all, for any user (unlike 405).",
     "Do not retry this method at this server."},
    {502, "Bad Gateway", "RFC 3261",
     "The server, acting as gateway or proxy, received an invalid response from a server further "
     "on.",
     "Retry later or by another route; the fault is beyond the server that answered."},
    {503, "Service Unavailable", "RFC 3261",
     "The server is temporarily overloaded or down for maintenance; Retry-After may say for how "
     "long.",
     "Honour Retry-After: send nothing to this server until it passes, and fail over to another "
     "server meanwhile (RFC 3263)."},
    {504, "Server Time-out", "RFC 3261",
     "The server did not get a timely response from a server it consulted (e.g. a location "
     "server or the next hop).",
     "Retry later or by another route."},
    {505, "Version Not Supported", "RFC 3261",
     "The server does not support the SIP version of the request.", "Resend as SIP/2.0."},
    {513, "Message Too Large", "RFC 3261", "The message is longer than the server can process.",
     "Shorten it (compact header forms, smaller body) or send it over TCP instead of UDP."},
    {555, "Push Notification Service Not Supported", "RFC 8599",
     "The proxy does not support the push notification service named in the pn-provider URI "
     "parameter of the REGISTER.",
     "Register without push, or with a pn-provider the proxy supports; the same provider fails "
     "again."},
    {580, "Precondition Failure", "RFC 3312",
     "The callee cannot or will not meet the preconditions (QoS, security) that the offer made "
     "mandatory.",
     "Retry without the mandatory preconditions, or with ones the peer can meet, or give up."},
    /* 6xx Global Failure */
    {600, "Busy Everywhere", "RFC 3261",
     "The callee was reached and knows that no other end system will take the call (unlike "
     "486). Unknown 6xx codes are treated as 600.",
     "Do not try other locations for this user; stop, or retry after Retry-After if given."},
    {603, "Decline", "RFC 3261",
     "The callee does not wish to or cannot take part, at any end system.",
     "Do not retry or search other locations; Retry-After may suggest a better time."},
    {604, "Does Not Exist Anywhere", "RFC 3261",
     "The server has authoritative information that the user in the Request-URI does not exist "
     "anywhere.",
     "Do not retry this address anywhere; correct it."},
    {606, "Not Acceptable", "RFC 3261",
     "The user was reached, but some aspect of the session description is not acceptable at any "
     "end system; a Warning header says what.",
     "Retry with a different session description only if one fits the Warning; otherwise give "
     "up."},
    {607, "Unwanted", "RFC 8197",
     "The called party does not want this call from this caller (e.g. it is spam); call "
     "analytics may learn from it.",
     "Do not retry the call; the caller's identity may now be flagged as unwanted."},
    {608, "Rejected", "RFC 8688",
     "An intermediary (e.g. a call analytics engine), not the callee, rejected the call; a jCard "
     "in Call-Info may name whom to contact.",
     "Do not retry; to dispute a wrong rejection, contact the party named in the Call-Info "
     "jCard."},
};

#define SIP_CODES_N (sizeof sip_codes / sizeof sip_codes[0])

const struct sip_code_info *sip_code_lookup(unsigned code)
{
    size_t lo = 0, hi = SIP_CODES_N;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        unsigned c = sip_codes[mid].code;
        if (c == code)
            return &sip_codes[mid];
        if (c < code)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const struct sip_code_info *sip_code_describe(unsigned code, bool *exact)
{
    if (exact)
        *exact = false;
    if (code < SIP_CODE_MIN || code > SIP_CODE_MAX)
        return NULL;
    const struct sip_code_info *e = sip_code_lookup(code);
    if (e) {
        if (exact)
            *exact = true;
        return e;
    }
    /* §8.1.3.2: an unknown final response is its class's x00; an unknown 1xx is 183. */
    unsigned as = code / 100 == 1 ? SIP_CODE_UNKNOWN_1XX : code / 100 * 100;
    return sip_code_lookup(as);
}

const char *sip_code_class(unsigned code)
{
    static const char *const classes[] = {"1xx", "2xx", "3xx", "4xx", "5xx", "6xx"};
    if (code < SIP_CODE_MIN || code > SIP_CODE_MAX)
        return NULL;
    return classes[code / 100 - 1];
}

const char *sip_code_class_name(unsigned code)
{
    static const char *const names[] = {"Provisional",    "Success",        "Redirection",
                                        "Client Failure", "Server Failure", "Global Failure"};
    if (code < SIP_CODE_MIN || code > SIP_CODE_MAX)
        return NULL;
    return names[code / 100 - 1];
}

size_t sip_code_count(void)
{
    return SIP_CODES_N;
}

const struct sip_code_info *sip_code_at(size_t i)
{
    return i < SIP_CODES_N ? &sip_codes[i] : NULL;
}
