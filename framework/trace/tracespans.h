// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include <mortar/mortar_export.h>
#include <mortar/trace.h>

#include <QJsonDocument>
#include <QList>
#include <QString>

#include <memory>
#include <optional>

namespace Mortar {

/*!
    \brief One handler's run, as a trace tells it: from its \c handler.begin to its
    \c handler.end, and on to its \c deferral.end when it finished asynchronously.

    A handler that began and never ended (it hung, or the process crashed or was killed) has
    \c finished false and ends where the trace stops.
*/
struct MORTAR_EXPORT TraceSpan
{
    QString hook;
    QString handler;
    std::optional<int> weight;
    QString owner;
    QString source;
    int thread = 0;
    qint64 beginSeq = 0;
    qint64 startNs = 0;
    qint64 returnNs = 0; //!< when the call returned (its synchronous part ended)
    qint64 endNs = 0;    //!< when it settled: returnNs, or when its deferrals settled
    QString status;      //!< \c ok, \c failed, \c timedOut, \c skipped; empty if not finished
    QString error;
    bool deferred = false; //!< had asynchronous work (a Deferral or a QFuture)
    bool finished = false;

    qint64 durationNs() const { return endNs - startNs; }
};

/*!
    \brief Finds what a handler event leaves to another (docs/trace-format.md): a handler's
    registration facts are written once, on its \c handler.added.

    A \c handler.begin names its handler by hook, handler and weight: its owner and source are
    those of the \c handler.added of that hook, name and weight. A \c handler.end names it by
    hook and handler: its weight is that of the \c handler.begin it closes (the innermost open
    one of its thread with that hook and handler); an end that has no begin carries its
    weight itself. Fed every event in \c seq order, resolve() fills in what an event lacks, so
    its readers see every handler event as older files wrote them (with owner and source on the
    begin, weight on the end); fields an event has are kept. Events of older files, which
    carry them all, pass unchanged.
*/
class MORTAR_EXPORT TraceHandlerResolver
{
public:
    TraceHandlerResolver();
    ~TraceHandlerResolver();
    TraceHandlerResolver(const TraceHandlerResolver &) = delete;
    TraceHandlerResolver &operator=(const TraceHandlerResolver &) = delete;

    /*! A handler's weight, owner and source, as far as known. */
    struct Facts
    {
        std::optional<int> weight;
        QString owner;
        QString source;
    };
    /*! What \a event (the next in \c seq order) tells of its handler, completed: for a
        \c handler.begin its owner and source, for a \c handler.end its weight. Learns from
        it: \c handler.added registers, a begin opens, an end closes. Empty for other kinds. */
    Facts facts(const TraceEvent &event);
    /*! Fills in what facts() finds and \a event lacks. */
    void resolve(TraceEvent &event);
    /*! A handler registered before the events start (a live app's snapshot, whose
        \c handler.added may have been dropped from its trace). */
    void addRegistration(const QString &hook, const QString &handler, int weight,
                         const QString &owner, const QString &source);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

/*! The handler spans of \a events (in trace order), in the order the handlers began; owner,
    source and weight resolved as TraceHandlerResolver does. */
MORTAR_EXPORT QList<TraceSpan> traceSpans(const QList<TraceEvent> &events);

/*!
    \brief The trace in Chrome's Trace Event Format, which Perfetto and chrome://tracing open.

    Hooks and handlers become complete events (\c{"ph": "X"}, microseconds) on their thread's
    track; each asynchronous part of a handler gets a track where nothing else overlaps it, with
    a flow arrow from the call; the close is a slice of its own. Status, owner, weight, source
    and error are in \c args. For large traces, writeChromeTrace() (<mortar/chromeexport.h>)
    streams the same to a device.
*/
MORTAR_EXPORT QJsonDocument chromeTrace(const QList<TraceEvent> &events, qint64 pid = 0,
                                        const QString &label = {});

} // namespace Mortar
