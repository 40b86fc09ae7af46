// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include <mortar/handler.h>
#include <mortar/hookcontext.h>
#include <mortar/hookrun.h>
#include <mortar/mortar_export.h>

#include <QObject>
#include <QStringList>

#include <concepts>
#include <cstring>
#include <memory>

namespace Mortar {

namespace Internal {
class HookRegistryPrivate;
class AppPrivate;

/*! A member function bound to its object, callable with exactly the arguments it takes (so
    Handler can tell the \c{App &}, \c{HookContext &} and no-argument forms apart). */
template <typename Obj, typename M>
auto bindMember(Obj *object, M member)
{
    return [object, member](auto &&...args)
                   -> decltype(std::invoke(member, object, std::forward<decltype(args)>(args)...)) {
        return std::invoke(member, object, std::forward<decltype(args)>(args)...);
    };
}

/*! The code address of a non-virtual member function, so its symbol can name the handler
    (Itanium C++ ABI: {address, this-adjustment}; an odd address means a virtual function). */
template <typename M>
const void *memberFunctionAddress(M member)
{
#if defined(__GNUC__) || defined(__clang__)
    if constexpr (sizeof(M) == 2 * sizeof(quintptr)) {
        quintptr representation[2];
        std::memcpy(representation, &member, sizeof representation);
        if ((representation[0] & 1) == 0)
            return reinterpret_cast<const void *>(representation[0]);
    }
#endif
    Q_UNUSED(member);
    return nullptr;
}
} // namespace Internal

/*!
    \brief The App's named hooks and the handlers registered to them (\c{app.hooks()}).

    The framework hooks (\c pre_setup … \c post_close, \c signal) exist from the App's
    construction; applications, extensions and plugins define more with define(). Handlers run by
    ascending weight, equal weights in registration order. Every handler runs inside try/catch: a
    throwing handler is recorded as failed and the others still run.

    add(), remove(), handlers(), names() and isDefined() are thread-safe. run() runs handlers in
    the calling thread, except handlers with a context object living in another thread.
*/
class MORTAR_EXPORT HookRegistry final : public QObject
{
    Q_OBJECT

public:
    ~HookRegistry() override;

    /*! Defines \a hook. Returns false, with a warning, if it is already defined or the name is
        empty. */
    bool define(const QString &hook);
    bool isDefined(const QString &hook) const;
    /*! The hooks in definition order. */
    QStringList names() const;

    /*!
        Registers \a handler for \a hook. Returns an invalid id, with a warning and a
        \c handler.refused trace event, if the hook is not defined.
    */
    HandlerId add(const QString &hook, Handler handler, HandlerOptions options = {},
                  SourceLocation where = SourceLocation::current());

    /*!
        Registers a member function or functor \a f of \a context. The handler is removed when
        \a context is destroyed, and runs in \a context's thread when that is not the caller's of
        run() (waiting at most the handler's timeout).
    */
    // clang-format 14 cannot lay out requires-clauses:
    // clang-format off
    template <typename Obj, typename F>
        requires std::derived_from<Obj, QObject>
    HandlerId add(const QString &hook, const Obj *context, F f, HandlerOptions options = {},
                  SourceLocation where = SourceLocation::current())
    // clang-format on
    {
        auto *object = const_cast<Obj *>(context);
        if constexpr (std::is_member_function_pointer_v<F>) {
            Internal::CallableIdentity identity{Internal::memberFunctionAddress(f), nullptr};
            return addWithContext(hook, context, Handler(Internal::bindMember(object, f)), identity,
                                  std::move(options), where);
        } else {
            Internal::CallableIdentity identity = Internal::identityOf(f);
            return addWithContext(hook, context, Handler(std::move(f)), identity,
                                  std::move(options), where);
        }
    }

    /*! Removes a registration. Returns false if \a id is not (or no longer) registered. A handler
        removed while its hook runs is skipped. */
    bool remove(HandlerId id);

    /*! The handlers of \a hook in run order. */
    QList<HandlerInfo> handlers(const QString &hook) const;

    /*!
        Runs every handler of \a hook with \a arguments, then waits (in a nested event loop) for
        their deferrals and futures, each bounded by its handler's timeout. Returns a failed
        HookRun, with a warning, if the hook is not defined.
    */
    HookRun run(const QString &hook, const QVariantList &arguments = {});

    /*!
        \brief Handlers added from this thread while an OwnerScope lives are owned by \a owner
        (shown in the trace and the inspector). The App uses it for extensions and plugins.
    */
    class MORTAR_EXPORT OwnerScope final
    {
    public:
        OwnerScope(HookRegistry &registry, const QString &owner);
        ~OwnerScope();
        OwnerScope(const OwnerScope &) = delete;
        OwnerScope &operator=(const OwnerScope &) = delete;

    private:
        HookRegistry &m_registry;
    };

Q_SIGNALS:
    void hookDefined(const QString &hook);
    void handlerAdded(const Mortar::HandlerInfo &handler);
    void handlerRemoved(const Mortar::HandlerInfo &handler);

private:
    friend class Internal::HookRegistryPrivate; // create(), get()
    HookRegistry(App *app, Trace *trace);

    void connectNotify(const QMetaMethod &signal) override;
    void disconnectNotify(const QMetaMethod &signal) override;

    HandlerId addWithContext(const QString &hook, const QObject *context, Handler handler,
                             Internal::CallableIdentity identity, HandlerOptions options,
                             SourceLocation where);

    std::unique_ptr<Internal::HookRegistryPrivate> const d;
};

} // namespace Mortar
