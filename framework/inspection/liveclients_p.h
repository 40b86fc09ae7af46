// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Internal to Mortar; not part of the API.
#pragma once

// The subscribed inspectors' sockets as a forced end sees them (spec §10.1 "live means
// complete"): a fixed table of atomics, so that the watchdog's thread or a signal handler can
// write the final process.killed / process.crashed record to every connected inspector with
// async-signal-safe calls only, while the server's thread streams to the same sockets.

#include <QtGlobal>

#include <cstddef>

namespace Mortar::Internal {

struct FinalRecord;

namespace LiveClients {

/*!
    How many sockets the table holds, for every server of the process together (a server
    takes at most InspectionWorker::MaxClients). A client that finds the table full is still
    served; only a forced end's last record does not reach it.
*/
constexpr int Capacity = 64;

/*!
    Enters a subscribed client's socket \a socketFd (a duplicate of it: the table's descriptor
    is never one that the server closed and the process reused). Returns its slot, -1 if there
    is none. Registers the forced end's sink on first use. The slot starts busy: call
    endWrite() once the socket holds whole frames only.
*/
int attach(int socketFd) noexcept;
/*!
    Before the server writes to the slot's socket: false once a forced end owns it (the process
    is ending and the final record is being written there) — then nothing more may be written.
    A slot of -1 is always true.
*/
bool beginWrite(int slot) noexcept;
/*!
    The server has nothing queued for the slot's socket any more: the kernel holds whole frames
    only, the events up to \a sentSeq included. A forced end may write now.
*/
void endWrite(int slot, qint64 sentSeq) noexcept;
/*! Before the socket closes: the slot is free again. */
void detach(int slot) noexcept;

/*!
    Events from this seq on are not sent: it is the trace's next seq when a forced end began, so
    that the final record comes right after what the inspectors were sent. What other threads
    record while the end waits for the inspectors still reaches the trace file (its last lines
    before the record), not the inspectors. Until a forced end, the largest qint64.
*/
qint64 sendLimit() noexcept;

/*!
    The frame of \a record as the server would send it: an \c events message with one event
    (docs/inspection-protocol.md), so that an inspector decodes it like any other. Written by
    hand into \a buffer of \a capacity bytes, without allocating; returns its size, 0 if it
    does not fit. Async-signal-safe.
*/
size_t encodeFinalFrame(const FinalRecord &record, char *buffer, size_t capacity) noexcept;

/*!
    The forced end's sink (registered with addFinalRecordSink() on the first attach()): stops
    the server from sending what is recorded from \a nextSeq on, then claims each attached
    socket once the server has sent it everything before and is between frames — waiting for
    that a bounded time, longer if \a waitAllowed — or else leaves it out.
*/
void prepare(qint64 nextSeq, bool waitAllowed) noexcept;
/*! Writes \a record to every socket prepare() claimed. */
void write(const FinalRecord &record) noexcept;

} // namespace LiveClients
} // namespace Mortar::Internal
