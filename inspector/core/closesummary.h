// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include <mortar/trace.h>

#include <QList>
#include <QString>

#include <optional>

class QTextStream;

namespace Mortar::Inspector {

/*!
    \brief What a developer asks of a finished run: how the close was triggered, what went wrong
    in it and how it ended (the verdict), which handlers to look at first (the problems), and
    which cleanup handler ran, how it ended, how long it took (the rows).
*/
struct CloseSummary
{
    struct Row
    {
        QString hook;
        QString handler;
        std::optional<int> weight;
        QString owner;
        QString source;
        QString status; //!< ok, failed, timedOut, skipped, or "did not finish"
        qint64 startNs = 0;
        qint64 durationNs = 0;
        QString error;
        qint64 beginSeq = 0; //!< of its handler.begin (or handler.end if it never began)
        bool deferred = false;

        bool isProblem() const;
    };

    /*! One entry of the ranked problems list. */
    struct Problem
    {
        enum Kind { Failed, TimedOut, DidNotFinish, Slow };
        Kind kind;
        qsizetype row; //!< into rows
    };

    /*! What outlived the close (spec §16): one \c leak.* event. */
    struct Leak
    {
        QString kind;   //!< thread, timer, object, fd (the event's kind without "leak.")
        QString what;   //!< its message: "QThread 'uploader'", "file descriptor 9 (/dev/null)"
        QString plugin; //!< the plugin that created it, if the census knows
        qint64 seq = 0;

        /*! "QThread 'uploader' (plugin leaky)". */
        QString text() const;
    };

    QList<Row> rows;   //!< the close's handlers (pre_close, post_close …), in the order they ran
    QList<Leak> leaks; //!< in the order the census found them
    std::optional<int> exitCode;
    QString cause;   //!< of close.begin; empty if the trace has no close
    QString trigger; //!< what started the close, in words: "SIGTERM", "close()" …
    std::optional<qint64> closeBeginSeq;
    std::optional<qint64> closeBeginNs;
    std::optional<qint64> closeDurationNs; //!< of close.end
    QString ending;       //!< how the process ended, if the trace says: process.exit/killed/crashed
    QString endingCause;  //!< process.killed's cause: watchdog or signal
    QString endingSignal; //!< the signal that killed or crashed it
    QString endingHandler;       //!< the handler running when it was killed or crashed
    std::optional<qint64> endNs; //!< t of the last event

    static CloseSummary of(const QList<TraceEvent> &events);
    /*! Every handler run of the trace, of any hook, in the order they began (for statistics). */
    static QList<Row> handlerRuns(const QList<TraceEvent> &events);
    /*! The same without the rows: how the close began and ended, in one quick pass. */
    static CloseSummary closeOf(const QList<TraceEvent> &events);

    qsizetype count(const QString &status) const;
    /*! Failures, timeouts, did-not-finish (in run order each), then the \a slowest handlers by
        duration (those not listed already). */
    QList<Problem> problems(int slowest = 5) const;
    /*! "2 leaks: QThread 'uploader' (plugin leaky), QTimer 'poller' (plugin leaky)" (the first
        few named); empty without leaks. */
    QString leaksLine() const;
    /*! One line: trigger → problems → ending → exit code. */
    QString verdict() const;
    /*! How the process ended, in words: "killed by the watchdog in 'X' after 1459 ms". */
    QString endingText() const;
    static QString kindName(Problem::Kind kind);

    /*! The verdict, the problems, the leaks (if any), then a text table (hook, handler, weight, status, duration
        (ms), error) and the close's line. Written as it goes: a close can have 500 000 rows. */
    void write(QTextStream &out, const QString &tableTitle = {}) const;
    QString toText() const;
};

/*! "1.25 s", "350 ms", "12.5 µs": a duration readable at a glance. */
QString formatDuration(qint64 ns);

} // namespace Mortar::Inspector
