// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include <mortar/handler.h>

#include <QList>
#include <QObject>
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

/*!
    \brief The outcome of running one hook: a result per handler, in run order.
*/
struct MORTAR_EXPORT HookRun
{
    QString hook;
    QList<HandlerResult> results;
    /*! Set when the hook could not run at all (for example, it is not defined). */
    QString errorString;
    /*! A handler called HookContext::preventDefault(). */
    bool defaultPrevented = false;
    /*! The name of the first handler that called HookContext::preventDefault(). */
    QString preventedBy;

    /*! True if the hook ran and no handler failed or timed out. */
    bool ok() const;
    /*! The handlers' values in run order (those that set none are left out). */
    QVariantList values() const;
};

} // namespace Mortar

Q_DECLARE_METATYPE(Mortar::HandlerResult)
Q_DECLARE_METATYPE(Mortar::HookRun)
