// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include <mortar/mortar_export.h>

#include <QDeadlineTimer>
#include <QString>
#include <QVariant>

#include <memory>

namespace Mortar {

class App;

namespace Internal {
struct DeferralState;
struct RunState;
struct HandlerSlot;
class HookRunner;
} // namespace Internal

/*!
    \brief A promise, made by a handler, to finish its work later.

    Obtained from HookContext::defer(). The hook (for example \c pre_close) waits, in a nested
    event loop that keeps timers and sockets working, until every deferral of its handlers is
    settled or the handler's timeout passes. Move-only. complete() and fail() may be called from
    any thread; only the first call counts. A deferral destroyed unsettled fails, so a forgotten
    one cannot hang the close.
*/
class MORTAR_EXPORT Deferral final
{
public:
    Deferral();
    Deferral(Deferral &&other) noexcept;
    Deferral &operator=(Deferral &&other) noexcept;
    Deferral(const Deferral &) = delete;
    Deferral &operator=(const Deferral &) = delete;
    ~Deferral();

    /*! The work finished; the handler's status becomes \c Ok. */
    void complete();
    /*! The work failed; the handler's status becomes \c Failed with \a why as its error. */
    void fail(const QString &why);
    /*! False once settled (or for a moved-from deferral). */
    bool isPending() const;

private:
    friend class HookContext;
    explicit Deferral(std::shared_ptr<Internal::DeferralState> state);
    std::shared_ptr<Internal::DeferralState> m_state;
};

/*!
    \brief What a running handler can see and do: its App, hook and arguments, a value to
    return, deferred completion, and preventing the default action.

    Valid only during the handler's call; do not keep it.
*/
class MORTAR_EXPORT HookContext final
{
public:
    HookContext(const HookContext &) = delete;
    HookContext &operator=(const HookContext &) = delete;

    App &app() const;
    QString hook() const;
    const QVariantList &arguments() const;

    /*! The handler's result, collected in HookRun::values(). */
    void setValue(const QVariant &value);

    /*! Finish asynchronously: the hook waits for the returned Deferral (bounded by the handler's
        timeout). */
    [[nodiscard]] Deferral defer();

    /*! Ask the caller of the hook not to perform its default action: the \c signal hook's close
        on SIGHUP, or the quit a \c quit_requested handler vetoes ("Save changes? — Cancel"). */
    void preventDefault();
    bool isDefaultPrevented() const;

    /*! The remaining close budget (AppOptions::closeTimeout) while the App closes; forever
        otherwise. */
    QDeadlineTimer deadline() const;

private:
    friend class Internal::HookRunner;
    HookContext(Internal::RunState *run, Internal::HandlerSlot *slot) : m_run(run), m_slot(slot) { }
    Internal::RunState *m_run;     // not owned
    Internal::HandlerSlot *m_slot; // not owned
};

} // namespace Mortar
