// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include <mortar/hookregistry.h>

#include "hookregistry_p.h"
#include "loggingcategories_p.h"
#include "trace_p.h"

#include <QFileInfo>
#include <QMetaMethod>

#include <algorithm>
#include <array>
#include <cstring>
#include <unordered_map>
#include <utility>

using namespace Qt::StringLiterals;

namespace Mortar {

namespace Internal {

namespace {
// Owners set by OwnerScope, innermost last; per thread, since registration is thread-safe.
// Initial-exec, as every thread_local of the registration path: the library is linked, never
// dlopen()ed, and the general model costs a __tls_get_addr() call per access (a tenth of add()).
#define MORTAR_TLS __attribute__((tls_model("initial-exec")))
thread_local MORTAR_TLS std::vector<std::pair<const HookRegistry *, QString>> t_ownerScopes;

/*! What a place of registration gives every handler registered there: its source, and the
    default name of a handler without a context (it depends on the callable and the place only). */
struct RegistrationSite
{
    QString source;
    QString defaultName;
};

/*! The site of \a identity registered at \a where: made once per both (per thread: no lock) and
    shared, as registering many handlers from one line (one per document) is common and must stay
    as cheap as a QObject::connect (SPEC §11). */
const RegistrationSite &siteOf(const CallableIdentity &identity, const SourceLocation &where)
{
    struct Key
    {
        const void *function;
        const char *type;
        const char *file;
        quint32 line;
        bool operator==(const Key &) const = default;
    };
    struct KeyHash
    {
        size_t operator()(const Key &key) const
        {
            return std::hash<const void *>()(key.function) ^ std::hash<const void *>()(key.type)
                    ^ std::hash<const void *>()(key.file)
                    ^ (size_t(key.line) * 0x9e3779b97f4a7c15u);
        }
    };
    // References to its elements stay valid as it grows (unordered_map never moves them).
    thread_local MORTAR_TLS std::unordered_map<Key, RegistrationSite, KeyHash> cache;
    const auto [it, inserted] = cache.try_emplace(Key{identity.functionAddress, identity.typeName,
                                                      where.file_name(), quint32(where.line())});
    if (inserted) {
        // The file name alone keeps trace lines short; the line tells the rest.
        const char *file = where.file_name();
        const char *slash = std::strrchr(file, '/');
        it->second.source =
                QString::fromUtf8(slash ? slash + 1 : file) + u':' + QString::number(where.line());
        it->second.defaultName = describeCallable(identity, nullptr, it->second.source);
    }
    return it->second;
}

/*! \a text with its characters on the heap: a literal's (QStringLiteral, u""_s) lie in the
    binary that made it, which may be a plugin unloaded while its labels are still in the trace. */
QString owned(const QString &text)
{
    // No capacity: not on the heap (a literal, or QString::fromRawData()).
    return text.isEmpty() || text.capacity() > 0 ? text : QString(text.constData(), text.size());
}

/*! The labels of a registration — shared with the last one that had the same, found in a small
    per-thread cache and compared by value: handlers registered alike (from one line, by one
    owner) share one, so add() makes no strings and takes one reference (SPEC §11). A miss
    makes new labels; the cache only saves memory and time, never changes what is recorded. */
TraceHandler labelsFor(const QString &hook, const QString &name, int weight, const QString &owner,
                       const QString &source)
{
    constexpr size_t Slots = 256;
    thread_local MORTAR_TLS std::array<TraceHandler, Slots> cache;
    // Consecutive weights of one site land in consecutive slots: a hook's few weight levels
    // added round robin do not evict each other.
    const size_t slot = (std::hash<const void *>()(name.constData())
                         ^ std::hash<const void *>()(source.constData()) * 31
                         ^ std::hash<const void *>()(owner.constData()) * 17
                         ^ std::hash<const void *>()(hook.constData()))
            + size_t(weight);
    TraceHandler &cached = cache[slot % Slots];
    if (cached && cached->weight == weight && cached->name == name && cached->source == source
        && cached->owner == owner && cached->hook == hook) {
        return cached;
    }
    auto *labels = new TraceHandlerData;
    labels->hook = owned(hook);
    labels->name = owned(name);
    labels->weight = weight;
    labels->owner = owned(owner);
    labels->source = owned(source);
    cached = TraceHandler(labels);
    return cached;
}
} // namespace

HandlerInfo HandlerEntry::info() const
{
    HandlerInfoData *data = m_info.load(std::memory_order_acquire);
    if (!data) {
        auto *made = new HandlerInfoData;
        made->labels = labels;
        made->id = id;
        made->timeout = timeout;
        made->hasContext = hasContext;
        made->ref.storeRelaxed(1); // the entry's
        if (m_info.compare_exchange_strong(data, made, std::memory_order_acq_rel))
            data = made;
        else
            delete made; // another thread was first: data is its
    }
    return HandlerInfo(data);
}

std::pair<HookData *, const QString *> HookRegistryPrivate::findHook(const QString &hook)
{
    // The last hook this thread added to, remembered by the registry's generation (never
    // reused, unlike its address): hooks are never undefined and an unordered_map's elements
    // stay where they are, so it needs no lock — most adds go to the hook the one before did.
    struct Found
    {
        quint64 generation = 0;
        QString hook;
        HookData *data = nullptr;
        const QString *name = nullptr;
    };
    thread_local MORTAR_TLS Found last;
    if (last.generation == m_generation && last.hook == hook)
        return {last.data, last.name};
    QMutexLocker locker(&m_mutex);
    const auto it = m_hooks.find(hook);
    if (it == m_hooks.end())
        return {};
    last = Found{m_generation, it->first, &it->second, &it->first};
    return {last.data, last.name};
}

const QString &HookRegistryPrivate::currentOwner() const
{
    for (auto it = t_ownerScopes.rbegin(); it != t_ownerScopes.rend(); ++it) {
        if (it->first == q)
            return it->second;
    }
    return m_defaultOwner;
}

void HookRegistryPrivate::recordRefusal(const QString &hook, const QString &name,
                                        const QString &source, const QString &why)
{
    qCWarning(lcHooks).noquote() << why;
    TraceEvent event;
    event.kind = u"handler.refused"_s;
    event.hook = hook;
    event.handler = name;
    event.source = source;
    event.error = why;
    m_trace->record(std::move(event));
}

HandlerId HookRegistryPrivate::addEntry(const QString &hook, std::unique_ptr<HandlerEntry> entry,
                                        const QObject *context, const QString &name,
                                        const HandlerOptions &options, const QString &source)
{
    const auto [hookData, definedHook] = findHook(hook);
    if (!hookData) {
        recordRefusal(hook, name, source,
                      u"Unable to add handler '%1' (%2): hook '%3' is not defined"_s.arg(
                              name, source, hook));
        return {};
    }
    entry->labels = labelsFor(*definedHook, name, options.weight, currentOwner(), source);
    entry->weight = options.weight;
    entry->timeout = options.timeout;
    entry->hasContext = context != nullptr;
    entry->context = const_cast<QObject *>(context);
    // Its handler.added with it, under the trace's one lock: a compact record, the trace knows
    // the handler by its number (and shares its labels).
    entry->traceRef = m_trace->internHandler(entry->labels, true);
    // handlerAdded's info only if someone listens (making it costs an allocation).
    const bool announce =
            m_handlerAdded.mayHaveReceivers() && q->isSignalConnected(m_handlerAdded.signal());

    HandlerId id;
    HandlerInfo info;
    {
        QMutexLocker locker(&m_mutex);
        // Under the lock anyway: a plain increment, not an atomic one.
        id = HandlerId(m_nextId.load(std::memory_order_relaxed));
        m_nextId.store(id.value() + 1, std::memory_order_relaxed);
        entry->id = id;
        if (announce)
            info = entry->info();
        // Appended to its weight's level: registration order within a weight, O(1) amortized.
        // (A sorted insertion into one vector of all the hook's handlers made add() O(n).)
        WeightLevel &level = hookData->levels[options.weight];
        entry->slot = level.entries.size();
        m_byId.insert(id.value(), entry.get());
        level.entries.push_back(std::move(entry));
        ++hookData->count;
        hookData->plan.reset();
    }

    if (context) {
        // Direct: the handler must be gone before the context's destruction finishes, whatever
        // thread destroys it.
        QObject::connect(
                context, &QObject::destroyed, q,
                [this, id] { removeEntry(id, u"its context object was destroyed"_s); },
                Qt::DirectConnection);
    }
    if (announce)
        Q_EMIT q->handlerAdded(info);
    return id;
}

std::shared_ptr<const RunPlan> HookRegistryPrivate::planOf(HookData &hook)
{
    if (!hook.plan) {
        auto plan = std::make_shared<RunPlan>();
        plan->steps.reserve(hook.count);
        for (auto &[weight, level] : hook.levels) {
            const auto &entries = level.entries;
            for (size_t i = 0; i < entries.size(); ++i) {
                // The entries lie apart on the heap, each a cache miss: asked for ahead, they
                // arrive together (a close's first run of pre_close makes this plan).
                constexpr size_t Ahead = 8;
                if (i + Ahead < entries.size() && entries[i + Ahead]) {
                    __builtin_prefetch(entries[i + Ahead].get());
                    __builtin_prefetch(reinterpret_cast<const char *>(entries[i + Ahead].get())
                                       + 64);
                }
                if (HandlerEntry *entry = entries[i].get()) {
                    RunPlan::Step &step = plan->steps.emplace_back();
                    step.call = entry->inlineCall;
                    if (!step.call.call) { // a bigger callable: called through its entry
                        const std::function<void(HookContext &)> *invoke = &entry->invoke;
                        std::memcpy(step.call.storage, &invoke, sizeof invoke);
                        step.call.call = [](void *storage, HookContext &context) {
                            const std::function<void(HookContext &)> *f = nullptr;
                            std::memcpy(&f, storage, sizeof f);
                            (*f)(context);
                        };
                    }
                    step.entry = entry;
                    step.traceRef = entry->traceRef;
                    step.hasContext = entry->hasContext;
                    step.timeout = entry->timeout;
                }
            }
        }
        // A graveyard of its own unless the current one is unused: entries removed from now
        // on are kept for this plan (and, through the chain, for older ones still held).
        if (!hook.graveyard || hook.graveyard.use_count() > 1 || !hook.graveyard->entries.empty()) {
            auto fresh = std::make_shared<Graveyard>();
            if (hook.graveyard && hook.graveyard.use_count() > 1)
                hook.graveyard->newer = fresh;
            hook.graveyard = std::move(fresh);
        }
        plan->keeps = hook.graveyard;
        hook.plan = std::move(plan);
    }
    return hook.plan;
}

void HookRegistryPrivate::setPending(QList<PendingWait> pending)
{
    QStringList names;
    names.reserve(pending.size());
    for (const PendingWait &wait : std::as_const(pending))
        names.append(wait.name);
    bool changed = false;
    {
        QMutexLocker locker(&m_pendingMutex);
        changed = m_pending.size() != pending.size()
                || !std::equal(m_pending.cbegin(), m_pending.cend(), pending.cbegin(),
                               [](const PendingWait &a, const PendingWait &b) {
                                   return a.name == b.name;
                               });
        m_pending = std::move(pending);
    }
    if (changed && m_pendingChanged)
        m_pendingChanged(names);
}

QList<HookRegistryPrivate::PendingWait> HookRegistryPrivate::pending() const
{
    QMutexLocker locker(&m_pendingMutex);
    return m_pending;
}

QStringList HookRegistryPrivate::pendingHandlers() const
{
    QMutexLocker locker(&m_pendingMutex);
    QStringList names;
    names.reserve(m_pending.size());
    for (const PendingWait &wait : m_pending)
        names.append(wait.name);
    return names;
}

QDeadlineTimer HookRegistryPrivate::pendingDeadline(const QString &handler) const
{
    QMutexLocker locker(&m_pendingMutex);
    const QDeadlineTimer none(QDeadlineTimer::Forever);
    if (m_pending.isEmpty())
        return none;
    if (!handler.isEmpty()) {
        for (const PendingWait &wait : m_pending) {
            if (wait.name == handler)
                return wait.deadline;
        }
        return none;
    }
    QDeadlineTimer latest = m_pending.constFirst().deadline;
    for (const PendingWait &wait : m_pending)
        latest = std::max(latest, wait.deadline);
    return latest;
}

bool HookRegistryPrivate::removeEntry(HandlerId id, const QString &reason)
{
    HandlerInfo info;
    {
        QMutexLocker locker(&m_mutex);
        HandlerEntry *entry = m_byId.take(id.value());
        if (!entry)
            return false;
        info = entry->info();
        if (entry->hasReceiverCount)
            m_receiverCounts.remove(entry);
        HookData &hookData = m_hooks[info.hook()];
        const auto levelIt = hookData.levels.find(entry->weight);
        Q_ASSERT(levelIt != hookData.levels.end());
        WeightLevel &level = levelIt->second;
        std::unique_ptr<HandlerEntry> &owner = level.entries[entry->slot];
        Q_ASSERT(owner.get() == entry);
        entry->removed.store(true, std::memory_order_relaxed);
        m_removals.fetch_add(1, std::memory_order_relaxed);
        hookData.plan.reset();
        // A plan (a running hook, a kept HookRun) may still name it: kept as long as one can.
        if (hookData.graveyard && hookData.graveyard.use_count() > 1)
            hookData.graveyard->entries.push_back(std::move(owner));
        owner.reset(); // a null slot: erasing it would move every later one (O(n) per remove)
        --hookData.count;
        if (++level.removed == level.entries.size()) {
            hookData.levels.erase(levelIt);
        } else if (level.removed > level.entries.size() / 2) {
            // Compact once half is gone: each removal pays for moving at most one other entry.
            auto &entries = level.entries;
            entries.erase(std::remove(entries.begin(), entries.end(), nullptr), entries.end());
            for (size_t i = 0; i < entries.size(); ++i)
                entries[i]->slot = i;
            level.removed = 0;
        }
        hookData.plan.reset();
    }
    if (m_trace->isEnabled()) {
        // A handler that goes before its hook runs is never silent (spec §3.2).
        TraceEvent event = handlerEvent(u"handler.removed"_s, info);
        event.extra.insert(u"reason"_s, reason);
        m_trace->record(std::move(event));
    }
    Q_EMIT q->handlerRemoved(info);
    return true;
}

} // namespace Internal

HookRegistry::HookRegistry(App *app, Trace *trace)
    : d(std::make_unique<Internal::HookRegistryPrivate>(this, app,
                                                        Internal::TracePrivate::get(*trace)))
{
}

HookRegistry::~HookRegistry() = default;

bool HookRegistry::define(const QString &hook)
{
    if (hook.isEmpty()) {
        qCWarning(Internal::lcHooks, "Unable to define a hook with an empty name");
        return false;
    }
    {
        QMutexLocker locker(&d->m_mutex);
        if (d->m_hooks.count(hook) != 0) {
            locker.unlock();
            qCWarning(Internal::lcHooks).noquote() << u"Hook '%1' is already defined"_s.arg(hook);
            return false;
        }
        d->m_hooks.try_emplace(hook);
        d->m_names.append(hook);
    }
    Q_EMIT hookDefined(hook);
    return true;
}

bool HookRegistry::isDefined(const QString &hook) const
{
    QMutexLocker locker(&d->m_mutex);
    return d->m_hooks.count(hook) != 0;
}

QStringList HookRegistry::names() const
{
    QMutexLocker locker(&d->m_mutex);
    return d->m_names;
}

HandlerId HookRegistry::add(const QString &hook, Handler handler, HandlerOptions options,
                            SourceLocation where)
{
    return addWithContext(hook, nullptr, std::move(handler), handler.m_identity, std::move(options),
                          where);
}

HandlerId HookRegistry::addWithContext(const QString &hook, const QObject *context, Handler handler,
                                       Internal::CallableIdentity identity, HandlerOptions options,
                                       SourceLocation where)
{
    const Internal::RegistrationSite &site = Internal::siteOf(identity, where);
    const QString &source = site.source;
    QString described; // a context's name: its class and objectName, which may change
    const QString &name = !options.name.isEmpty() ? options.name
            : context ? (described = Internal::describeCallable(identity, context, source))
                      : site.defaultName;
    if (!handler.isValid()) {
        d->recordRefusal(hook, name, source,
                         u"Unable to add handler '%1' (%2) to hook '%3': it is empty"_s.arg(
                                 name, source, hook));
        return {};
    }
    auto entry = std::make_unique<Internal::HandlerEntry>();
    entry->invoke = std::move(handler.m_invoke);
    entry->inlineCall = handler.m_inline;
    return d->addEntry(hook, std::move(entry), context, name, options, source);
}

void HookRegistry::connectNotify(const QMetaMethod &signal)
{
    d->m_handlerAdded.connected(signal);
}

void HookRegistry::disconnectNotify(const QMetaMethod &signal)
{
    d->m_handlerAdded.disconnected(signal);
}

bool HookRegistry::remove(HandlerId id)
{
    return d->removeEntry(id, u"removed with HookRegistry::remove()"_s);
}

QList<HandlerInfo> HookRegistry::handlers(const QString &hook) const
{
    QMutexLocker locker(&d->m_mutex);
    QList<HandlerInfo> result;
    const auto it = d->m_hooks.find(hook);
    if (it == d->m_hooks.end())
        return result;
    result.reserve(qsizetype(it->second.count));
    it->second.forEach(
            [&result, &counts = d->m_receiverCounts](const Internal::HandlerEntry &entry) {
                HandlerInfo info = entry.info();
                if (entry.hasReceiverCount)
                    info.d->receiverCount = counts.value(&entry)();
                result.append(info);
            });
    return result;
}

HookRun HookRegistry::run(const QString &hook, const QVariantList &arguments)
{
    return Internal::HookRunner::run(*d, hook, arguments);
}

HookRegistry::OwnerScope::OwnerScope(HookRegistry &registry, const QString &owner)
    : m_registry(registry)
{
    Internal::t_ownerScopes.emplace_back(&registry, owner);
}

HookRegistry::OwnerScope::~OwnerScope()
{
    auto &scopes = Internal::t_ownerScopes;
    const auto it = std::find_if(scopes.rbegin(), scopes.rend(),
                                 [this](const auto &scope) { return scope.first == &m_registry; });
    if (it != scopes.rend())
        scopes.erase(std::next(it).base());
}

} // namespace Mortar
