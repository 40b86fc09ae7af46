// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include <mortar/mortar_export.h>

#include <QFuture>
#include <QHashFunctions>
#include <QSharedDataPointer>
#include <QString>
#include <QVariant>

#include <chrono>
#include <concepts>
#include <functional>
#include <memory>
#include <new>
#include <type_traits>

namespace Mortar {

class App;
class Trace;
class HookContext;
class HookRegistry;
class Deferral;

namespace Internal {
class HookRegistryPrivate;
}

/*!
    \brief Where a handler was registered: the caller's file and line, taken as a default
    argument.

    Mortar's own \c std::source_location: the same use (\c{SourceLocation::current()} as a
    default argument names the caller), but built on \c __builtin_FILE() / \c __builtin_LINE(),
    which GCC and Clang both offer — Clang 14 with libstdc++ 12 (Debian 12) cannot compile
    \c <source_location> — and one type whatever the compiler, so the API does not change with it.
*/
class SourceLocation final
{
public:
    static constexpr SourceLocation current(const char *file = __builtin_FILE(),
                                            unsigned line = __builtin_LINE()) noexcept
    {
        SourceLocation location;
        location.m_file = file;
        location.m_line = line;
        return location;
    }
    constexpr const char *file_name() const noexcept { return m_file; }
    constexpr unsigned line() const noexcept { return m_line; }

private:
    const char *m_file = "";
    unsigned m_line = 0;
};

/*!
    \brief How a handler takes part in its hook.

    Fields in this order so designated initializers work:
    \code
    app.hooks().add(u"pre_close"_s, [&] { flush(); }, {.weight = -10, .name = u"flush cache"_s});
    \endcode
*/
struct HandlerOptions
{
    /*! Handlers run by ascending weight; equal weights keep registration order. */
    int weight = 0;
    /*! Shown in the trace and the inspector. Empty: derived from the callable. */
    QString name = {};
    /*! Deadline for the handler's asynchronous work (a Deferral or a QFuture). Zero: the App's
        AppOptions::handlerTimeout. Also bounds a handler run in another thread. */
    std::chrono::milliseconds timeout{};
};

/*!
    \brief Identifies one registration; returned by HookRegistry::add(), taken by remove().

    An invalid id means the registration was refused (for example, the hook is not defined).
*/
class MORTAR_EXPORT HandlerId final
{
public:
    HandlerId() = default;
    bool isValid() const { return m_value != 0; }
    quint64 value() const { return m_value; }

    friend bool operator==(HandlerId a, HandlerId b) { return a.m_value == b.m_value; }
    friend bool operator!=(HandlerId a, HandlerId b) { return a.m_value != b.m_value; }
    friend size_t qHash(HandlerId id, size_t seed = 0) noexcept
    {
        return ::qHash(id.m_value, seed);
    }

private:
    friend class HookRegistry;
    friend class Internal::HookRegistryPrivate;
    explicit HandlerId(quint64 value) : m_value(value) { }
    quint64 m_value = 0;
};

namespace Internal {
class HandlerInfoData;
struct HandlerEntry;
} // namespace Internal

/*!
    \brief What is known about a registered handler: its hook, name, weight, owner and source.

    Implicitly shared; cheap to copy across threads.
*/
class MORTAR_EXPORT HandlerInfo final
{
public:
    HandlerInfo();
    HandlerInfo(const HandlerInfo &other);
    HandlerInfo(HandlerInfo &&other) noexcept;
    HandlerInfo &operator=(const HandlerInfo &other);
    HandlerInfo &operator=(HandlerInfo &&other) noexcept;
    ~HandlerInfo();

    bool isValid() const;
    HandlerId id() const;
    QString hook() const;
    QString name() const;
    int weight() const;
    /*! Who registered it: the App's label, an extension, a plugin (see HookRegistry::OwnerScope). */
    QString owner() const;
    /*! Where it was registered, as \c file:line. */
    QString source() const;
    /*! The timeout the handler was registered with (zero: the App's default). */
    std::chrono::milliseconds timeout() const;
    /*! Whether a context object was given; its handler then runs in the context's thread. */
    bool hasContext() const;
    /*! For the App's built-in signal handlers (\c App::preClose() …): how many slots are connected
        to that signal. -1 for every other handler. */
    int receiverCount() const;

private:
    friend class HookRegistry;
    friend class Internal::HookRegistryPrivate;
    explicit HandlerInfo(Internal::HandlerInfoData *data);
    friend struct Internal::HandlerEntry; // HandlerEntry::info()
    QSharedDataPointer<Internal::HandlerInfoData> d;
};

namespace Internal {

template <typename T>
struct IsQFuture : std::false_type
{
};
template <typename T>
struct IsQFuture<QFuture<T>> : std::true_type
{
};

/*! Makes the handler's hook wait for \a future: settled when it finishes, failed if it throws
    or is canceled. */
MORTAR_EXPORT void awaitFuture(HookContext &context, const QFuture<void> &future);
MORTAR_EXPORT void setHandlerValue(HookContext &context, const QVariant &value);

/*! Runs \a call and turns what it returns into the handler's outcome. */
template <typename Call>
void deliverResult(HookContext &context, Call &&call)
{
    using R = std::invoke_result_t<Call>;
    if constexpr (std::is_void_v<R>) {
        call();
    } else if constexpr (IsQFuture<std::remove_cvref_t<R>>::value) {
        awaitFuture(context, QFuture<void>(call()));
    } else {
        setHandlerValue(context, QVariant::fromValue(call()));
    }
}

template <typename F>
concept TakesContext = std::is_invocable_v<F &, HookContext &>;
template <typename F>
concept TakesApp = !TakesContext<F> && std::is_invocable_v<F &, App &>;
template <typename F>
concept TakesNothing = !TakesContext<F> && !TakesApp<F> && std::is_invocable_v<F &>;

template <typename F>
concept HandlerCallable = TakesContext<F> || TakesApp<F> || TakesNothing<F>;

MORTAR_EXPORT App &appOf(HookContext &context);

/*! What a default handler name can be derived from. */
struct CallableIdentity
{
    const void *functionAddress = nullptr; // a plain function: its symbol names it
    const char *typeName = nullptr;        // otherwise the mangled type name
};

template <typename F>
CallableIdentity identityOf(const F &f)
{
    CallableIdentity identity;
    if constexpr (std::is_pointer_v<F> && std::is_function_v<std::remove_pointer_t<F>>)
        identity.functionAddress = reinterpret_cast<const void *>(f);
    else if constexpr (std::is_function_v<F>)
        identity.functionAddress = reinterpret_cast<const void *>(&f);
    else
        identity.typeName = typeid(F).name();
    return identity;
}

/*!
    A small, trivially copyable callable (a lambda capturing a pointer or two, a function
    pointer) kept as bytes with a plain function that calls it: a hook's run plan copies it as
    24 bytes, where copying a std::function costs an indirect call (a whole close copies one per
    handler). Empty (\c call null) for any other callable, which the std::function calls.
*/
struct InlineCall
{
    using Call = void (*)(void *storage, HookContext &context);
    Call call = nullptr;
    alignas(8) unsigned char storage[16] = {};

    /*! Calls \a fn as a handler: with the context, the App or nothing; its result delivered. */
    template <typename Fn>
    static void invoke(Fn &fn, HookContext &context)
    {
        if constexpr (TakesContext<Fn>)
            deliverResult(context, [&] { return std::invoke(fn, context); });
        else if constexpr (TakesApp<Fn>)
            deliverResult(context, [&] { return std::invoke(fn, appOf(context)); });
        else
            deliverResult(context, [&] { return std::invoke(fn); });
    }
    template <typename Fn>
    static constexpr bool fits = std::is_trivially_copyable_v<Fn> && sizeof(Fn) <= 16
            && alignof(Fn) <= 8;
    template <typename Fn>
    void set(const Fn &fn)
    {
        static_assert(fits<Fn>);
        ::new (static_cast<void *>(storage)) Fn(fn);
        call = [](void *bytes, HookContext &context) {
            invoke(*std::launder(reinterpret_cast<Fn *>(bytes)), context);
        };
    }
};

} // namespace Internal

/*!
    \brief A callable that takes part in a hook.

    Constructible from any callable taking nothing, \c{App &} or \c{HookContext &}, and returning
    \c void, a \c QFuture (the hook waits for it, see HookContext::defer()) or a value (collected by
    HookRun::values()).
*/
class MORTAR_EXPORT Handler final
{
public:
    Handler() = default;

    // clang-format 14 cannot lay out requires-clauses:
    // clang-format off
    template <typename F>
        requires(!std::same_as<std::remove_cvref_t<F>, Handler>)
                && Internal::HandlerCallable<std::decay_t<F>>
    Handler(F &&f) // NOLINT(google-explicit-constructor): a Handler is any callable
        : m_identity(Internal::identityOf(f))
    {
        using Fn = std::decay_t<F>;
        Fn fn(std::forward<F>(f));
        if constexpr (Internal::InlineCall::fits<Fn>)
            m_inline.set(fn);
        m_invoke = [fn = std::move(fn)](HookContext &context) mutable {
            Internal::InlineCall::invoke(fn, context);
        };
    }
    // clang-format on

    bool isValid() const { return bool(m_invoke); }

private:
    friend class HookRegistry;
    std::function<void(HookContext &)> m_invoke;
    Internal::CallableIdentity m_identity;
    Internal::InlineCall m_inline; // also, when the callable fits (see InlineCall)
};

} // namespace Mortar

Q_DECLARE_METATYPE(Mortar::HandlerInfo)
Q_DECLARE_METATYPE(Mortar::HandlerId)
