// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include <mortar/handler.h>

#include <QList>
#include <QObject>
#include <QSharedData>
#include <QString>
#include <QVariant>

namespace Mortar {

/*!
    \brief How one handler's run ended.
*/
struct MORTAR_EXPORT HandlerResult
{
    Q_GADGET
public:
    enum class Status {
        Ok,       //!< returned, and any asynchronous work completed
        Failed,   //!< threw, or its Deferral / QFuture failed
        TimedOut, //!< its asynchronous work (or its run in another thread) outlived its timeout
        Skipped,  //!< not run: removed, or its context object destroyed, while the hook ran
    };
    Q_ENUM(Status)

    HandlerInfo handler;
    Status status = Status::Ok;
    QString error;
    qint64 startNs = 0;    //!< when it started, in ns since the App was created
    qint64 durationNs = 0; //!< until it returned, or until its asynchronous work settled
    QVariant value;

    /*! \c ok, \c failed, \c timedOut or \c skipped, as in the trace. */
    static QString statusName(Status status);
};

namespace Internal {
class HookRunData;
class HookRunner;
} // namespace Internal

/*!
    \brief The outcome of running one hook.

    An implicitly shared value class: copying it is O(1). A run keeps only what it must — the
    outcomes that are not \c Ok, the values handlers set, the outcomes of asynchronous work, and
    (traced) the timings — so running a hook copies no per-handler data nobody asked for;
    results() builds the full list, one HandlerResult per handler in run order, when called.
*/
class MORTAR_EXPORT HookRun
{
public:
    HookRun();
    HookRun(const HookRun &other);
    HookRun(HookRun &&other) noexcept;
    HookRun &operator=(const HookRun &other);
    HookRun &operator=(HookRun &&other) noexcept;
    ~HookRun();

    /*! The hook that ran. */
    QString hook() const;
    /*! True if the hook ran and no handler failed or timed out. */
    bool ok() const;
    /*! Set when the hook could not run at all (for example, it is not defined). */
    QString errorString() const;
    /*! A handler called HookContext::preventDefault(). */
    bool defaultPrevented() const;
    /*! The name of the first handler that called HookContext::preventDefault(). */
    QString preventedBy() const;
    /*! The handlers' values in run order (those that set none are left out). */
    QVariantList values() const;
    /*! The results of the handlers that failed or timed out, in run order. */
    QList<HandlerResult> failures() const;
    /*! How many handlers the run had (results().size(), without building them). */
    qsizetype handlerCount() const;
    /*! A result per handler, in run order; built now, from what the run kept. */
    QList<HandlerResult> results() const;

private:
    friend class Internal::HookRunner;
    explicit HookRun(Internal::HookRunData *data);
    QExplicitlySharedDataPointer<Internal::HookRunData> d;
};

} // namespace Mortar

Q_DECLARE_METATYPE(Mortar::HandlerResult)
Q_DECLARE_METATYPE(Mortar::HookRun)
