// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include <mortar/mortar_export.h>
#include <mortar/result.h>

#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QString>

#include <memory>
#include <optional>

namespace Mortar {

namespace Internal {
class TracePrivate;
class AppPrivate;
} // namespace Internal

/*!
    \brief One recorded step of the App's lifecycle.

    toJson() is exactly the object a line of the trace file holds (see docs/trace-format.md).
    Fields that do not apply to the event's kind are empty / unset and left out of the JSON.
*/
struct MORTAR_EXPORT TraceEvent
{
    qint64 seq = 0; //!< position in the run, from 0, without gaps (dropped events keep theirs)
    qint64 t = 0;   //!< ns since the App was created (monotonic clock)
    int thread = 0; //!< small per-process thread number; 1 is the first thread that recorded
    QString kind;   //!< e.g. \c state, \c hook.begin, \c handler.end, \c log, \c close.begin
    QString hook;
    QString handler; //!< the handler's name
    std::optional<int> weight;
    QString owner;
    QString source;
    QString status; //!< \c ok, \c failed, \c timedOut or \c skipped
    QString error;
    std::optional<qint64> durationNs;
    QString message;
    std::optional<int> code;
    QJsonObject extra; //!< kind-specific fields not listed above (\c state, \c cause, \c level …)

    QJsonObject toJson() const;
    /*! The compact JSON of toJson() plus a newline: one line of the trace file. */
    QByteArray toJsonLine() const;
    /*! Reads an object of the trace file back; unknown fields land in \c extra. */
    static TraceEvent fromJson(const QJsonObject &object);
};

/*!
    \brief The App's trace: every lifecycle step as a TraceEvent (\c{app.trace()}).

    Kept in memory for the whole run, bounded by capacity(): past it, the oldest \c log events
    are dropped first, then the oldest hook and handler events; the events that outline the run
    (\c state, \c close.*, \c process.*, \c exception) are kept. Optionally also written as JSON
   Lines to a file (AppOptions::traceFile, \c MORTAR_TRACE), flushed at every hook end and before
   the process ends. Recording is thread-safe. eventRecorded() is emitted in the recording thread.
*/
class MORTAR_EXPORT Trace final : public QObject
{
    Q_OBJECT

public:
    ~Trace() override;

    /*! Recording on (the default) or off. Off, nothing is kept or written, and handlers are not
        timed (HandlerResult::startNs and durationNs stay 0). */
    bool isEnabled() const;
    void setEnabled(bool enabled);

    /*! Maximum number of events kept in memory (default 1 000 000). */
    qsizetype capacity() const;
    void setCapacity(qsizetype capacity);
    /*! Maximum memory the kept events may take, in bytes (default 64 MiB), trimmed as for
        capacity(): the oldest \c log events first. */
    qint64 byteCapacity() const;
    void setByteCapacity(qint64 bytes);
    /*! The memory the kept events take now, in bytes (a handler event: 48 at most). */
    qint64 sizeInBytes() const;

    /*! Everything recorded and still kept, in order. */
    QList<TraceEvent> events() const;
    qsizetype size() const;
    /*! How many events were dropped to stay within capacity(). */
    qint64 droppedCount() const;

    /*! Records \a event (for applications and extensions with steps of their own). \c seq,
        \c t and \c thread are filled in. */
    void record(TraceEvent event);

    /*! Nanoseconds since the App was created. */
    qint64 now() const;

    /*! Also write the trace, from its beginning, as JSON Lines to \a path. */
    Result openFile(const QString &path);
    QString fileName() const;
    /*! Writes buffered lines to the trace file. */
    void flush();

Q_SIGNALS:
    /*! Emitted for every event recorded, in the recording thread. */
    void eventRecorded(const Mortar::TraceEvent &event);

private:
    friend class Internal::TracePrivate; // create(), get()
    explicit Trace(const QString &label);
    void connectNotify(const QMetaMethod &signal) override;
    void disconnectNotify(const QMetaMethod &signal) override;
    std::unique_ptr<Internal::TracePrivate> const d;
};

} // namespace Mortar

Q_DECLARE_METATYPE(Mortar::TraceEvent)
