// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// The forced end's last record to every connected inspector (spec §10.1). Everything the forced
// end runs here is async-signal-safe: atomics, fcntl(2), poll(2), send(2), nanosleep(2).
#include "liveclients_p.h"

#include "asyncsafe_p.h"
#include "forcedexit_p.h"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <limits>

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace Mortar::Internal::LiveClients {

namespace {

enum State : int {
    Free,
    Claimed, //!< being attached or detached: the forced end leaves it alone
    Idle,    //!< the socket holds whole frames only: the forced end may write
    Busy,    //!< the server has bytes queued or is writing
    Final,   //!< the forced end owns it; the server writes no more
};

struct Slot
{
    std::atomic<int> state{Free};
    std::atomic<int> fd{-1};
    std::atomic<qint64> sentSeq{-1};
};

Slot g_slots[Capacity];
std::atomic<qint64> g_sendLimit{std::numeric_limits<qint64>::max()};
static_assert(std::atomic<int>::is_always_lock_free && std::atomic<qint64>::is_always_lock_free,
              "a signal handler reads these");

// How long a forced end waits, in all, for the server to finish the frame it is writing and to
// send the events recorded before the end: the watchdog's report may wait; a crash or a second
// signal may be running in the server's very thread, so it waits less.
constexpr qint64 CatchUpNs = 300'000'000;
constexpr qint64 CatchUpUnwaitedNs = 50'000'000;
// A client the server had bytes queued for all this while is not reading: not waited for.
constexpr qint64 StallNs = 50'000'000;
// How long writing the record to one client may take (a client that does not read).
constexpr int WriteTimeoutMs = 100;

/*! CBOR, by hand (RFC 8949): the few item types a final record needs. */
class CborOut
{
public:
    CborOut(char *buffer, size_t capacity) : m_buffer(buffer), m_capacity(capacity) { }

    void head(unsigned major, quint64 value) noexcept
    {
        const auto byte = [this](quint64 b) { put(char(b & 0xff)); };
        const unsigned m = major << 5;
        if (value < 24) {
            byte(m | value);
        } else if (value <= 0xff) {
            byte(m | 24);
            byte(value);
        } else if (value <= 0xffff) {
            byte(m | 25);
            for (int shift = 8; shift >= 0; shift -= 8)
                byte(value >> shift);
        } else if (value <= 0xffffffffu) {
            byte(m | 26);
            for (int shift = 24; shift >= 0; shift -= 8)
                byte(value >> shift);
        } else {
            byte(m | 27);
            for (int shift = 56; shift >= 0; shift -= 8)
                byte(value >> shift);
        }
    }
    void integer(qint64 value) noexcept
    {
        if (value >= 0)
            head(0, quint64(value));
        else
            head(1, quint64(-(value + 1)));
    }
    void text(const char *data, size_t size) noexcept
    {
        head(3, size);
        for (size_t i = 0; i < size; ++i)
            put(data[i]);
    }
    void text(const char *data) noexcept { text(data, std::strlen(data)); }
    void boolean(bool value) noexcept { put(value ? char(0xf5) : char(0xf4)); }
    void map(size_t count) noexcept { head(5, count); }
    void array(size_t count) noexcept { head(4, count); }

    size_t size() const noexcept { return m_size; }
    bool overflowed() const noexcept { return m_overflow; }

private:
    void put(char c) noexcept
    {
        if (m_size < m_capacity)
            m_buffer[m_size++] = c;
        else
            m_overflow = true;
    }

    char *m_buffer;
    size_t m_capacity;
    size_t m_size = 0;
    bool m_overflow = false;
};

/*! Writes all of \a data to the non-blocking socket \a fd, waiting for room at most
    WriteTimeoutMs; false if it could not. MSG_NOSIGNAL: an inspector that went away must not
    end the process with SIGPIPE instead of its exit code. */
bool sendAll(int fd, const char *data, size_t length) noexcept
{
    const qint64 deadline = monotonicNs() + qint64(WriteTimeoutMs) * 1'000'000;
    while (length > 0) {
        const ssize_t written = ::send(fd, data, length, MSG_NOSIGNAL);
        if (written > 0) {
            data += written;
            length -= size_t(written);
            continue;
        }
        if (written < 0 && errno == EINTR)
            continue;
        if (written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            const qint64 left = deadline - monotonicNs();
            if (left <= 0)
                return false;
            pollfd descriptor{fd, POLLOUT, 0};
            ::poll(&descriptor, 1, int(left / 1'000'000) + 1);
            continue;
        }
        return false;
    }
    return true;
}

void registerSink() noexcept
{
    static constexpr FinalRecordSink sink{&prepare, &write};
    static std::atomic<bool> registered{false};
    if (!registered.exchange(true))
        addFinalRecordSink(&sink);
}

} // namespace

qint64 sendLimit() noexcept
{
    return g_sendLimit.load(std::memory_order_acquire);
}

int attach(int socketFd) noexcept
{
    if (socketFd < 0)
        return -1;
    registerSink();
    for (int i = 0; i < Capacity; ++i) {
        Slot &slot = g_slots[i];
        int expected = Free;
        if (!slot.state.compare_exchange_strong(expected, Claimed))
            continue;
        const int fd = ::fcntl(socketFd, F_DUPFD_CLOEXEC, 0);
        if (fd < 0) {
            slot.state.store(Free);
            return -1;
        }
        slot.fd.store(fd);
        slot.sentSeq.store(-1);
        slot.state.store(Busy, std::memory_order_release);
        return i;
    }
    return -1;
}

bool beginWrite(int slot) noexcept
{
    if (slot < 0 || slot >= Capacity)
        return true;
    std::atomic<int> &state = g_slots[slot].state;
    int current = state.load(std::memory_order_acquire);
    for (;;) {
        if (current == Final)
            return false;
        if (current != Idle)
            return true; // Busy already (Claimed does not happen while the server uses it)
        if (state.compare_exchange_weak(current, Busy, std::memory_order_acq_rel))
            return true;
    }
}

void endWrite(int slot, qint64 sentSeq) noexcept
{
    if (slot < 0 || slot >= Capacity)
        return;
    g_slots[slot].sentSeq.store(sentSeq, std::memory_order_relaxed);
    int expected = Busy;
    g_slots[slot].state.compare_exchange_strong(expected, Idle, std::memory_order_release);
}

void detach(int slot) noexcept
{
    if (slot < 0 || slot >= Capacity)
        return;
    Slot &s = g_slots[slot];
    int current = s.state.load();
    for (;;) {
        // The forced end is writing to it: leave it open, the process ends in a moment.
        if (current == Final || current == Free)
            return;
        if (s.state.compare_exchange_weak(current, Claimed))
            break;
    }
    const int fd = s.fd.exchange(-1);
    if (fd >= 0)
        ::close(fd);
    s.state.store(Free, std::memory_order_release);
}

size_t encodeFinalFrame(const FinalRecord &record, char *buffer, size_t capacity) noexcept
{
    if (capacity < 4)
        return 0;
    CborOut out(buffer + 4, capacity - 4);
    // {"type":"events","events":[{event}]}: what InspectionProtocol::appendEventFrames() sends.
    out.map(2);
    out.text("type");
    out.text("events");
    out.text("events");
    out.array(1);
    const bool running = record.handler != nullptr;
    const size_t fields = 5 + (record.signalNumber ? 1 : 0) + (record.signal ? 1 : 0)
            + (record.hasCode ? 1 : 0) + (record.hasBudget ? 1 : 0) + (running ? 3 : 0)
            + (running && record.owner ? 1 : 0) + (running && record.deferred ? 1 : 0);
    out.map(fields);
    // In the order of the trace file's last line (writeFinalLine(), reportForcedEnd()).
    out.text("seq");
    out.integer(record.seq);
    out.text("t");
    out.integer(record.t);
    out.text("thread");
    out.integer(0);
    out.text("kind");
    out.text(record.kind ? record.kind : "");
    out.text("cause");
    out.text(record.cause ? record.cause : "");
    if (record.signalNumber) {
        out.text("signalNumber");
        out.integer(record.signalNumber);
    }
    if (record.signal) {
        out.text("signal");
        out.text(record.signal);
    }
    if (record.hasCode) {
        out.text("code");
        out.integer(record.code);
    }
    if (record.hasBudget) {
        out.text("budgetMs");
        out.integer(record.budgetMs);
    }
    if (running) {
        out.text("hook");
        out.text(record.hook ? record.hook : "", record.hook ? record.hookSize : 0);
        out.text("handler");
        out.text(record.handler, record.handlerSize);
        out.text("runningNs");
        out.integer(record.runningNs);
        if (record.owner) {
            out.text("owner");
            out.text(record.owner, record.ownerSize);
        }
        if (record.deferred) {
            out.text("deferred");
            out.boolean(true);
        }
    }
    if (out.overflowed())
        return 0;
    const auto length = quint32(out.size());
    buffer[0] = char(length >> 24);
    buffer[1] = char((length >> 16) & 0xff);
    buffer[2] = char((length >> 8) & 0xff);
    buffer[3] = char(length & 0xff);
    return 4 + out.size();
}

void prepare(qint64 nextSeq, bool waitAllowed) noexcept
{
    g_sendLimit.store(nextSeq, std::memory_order_release);
    const qint64 start = monotonicNs();
    const qint64 deadline = start + (waitAllowed ? CatchUpNs : CatchUpUnwaitedNs);
    bool done[Capacity] = {};
    qint64 idleSeen[Capacity];
    for (qint64 &at : idleSeen)
        at = start;
    for (;;) {
        const qint64 now = monotonicNs();
        const bool expired = now >= deadline;
        bool waiting = false;
        for (int i = 0; i < Capacity; ++i) {
            if (done[i])
                continue;
            Slot &slot = g_slots[i];
            int state = slot.state.load(std::memory_order_acquire);
            if (state != Idle && state != Busy) {
                done[i] = true; // free, or being detached: not a client to tell
                continue;
            }
            // Idle, and it has what was recorded before the end (or there is no more time to
            // wait for that): it is claimed, and the record goes after a whole frame, never
            // inside one.
            const bool caughtUp =
                    slot.sentSeq.load(std::memory_order_relaxed) >= nextSeq - 1 || expired;
            if (state == Idle && caughtUp
                && slot.state.compare_exchange_strong(state, Final, std::memory_order_acq_rel)) {
                done[i] = true;
                continue;
            }
            if (state == Idle)
                idleSeen[i] = now;
            if (expired || now - idleSeen[i] > StallNs) {
                done[i] = true; // still mid-frame: skipped rather than corrupted
                continue;
            }
            waiting = true;
        }
        if (!waiting)
            return;
        const timespec pause{0, 1'000'000};
        ::nanosleep(&pause, nullptr);
    }
}

void write(const FinalRecord &record) noexcept
{
    // Names are at most a few hundred bytes (reportForcedEnd() cuts them): this always fits.
    char frame[2048];
    const size_t size = encodeFinalFrame(record, frame, sizeof frame);
    if (size == 0)
        return;
    for (Slot &slot : g_slots) {
        if (slot.state.load(std::memory_order_acquire) == Final)
            sendAll(slot.fd.load(std::memory_order_relaxed), frame, size);
    }
}

} // namespace Mortar::Internal::LiveClients
