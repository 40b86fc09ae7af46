// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include <mortar/handler.h>
#include <mortar/hookcontext.h>
#include <mortar/hookrun.h>

#include "hookregistry_p.h"

#include <QFileInfo>

#include <cxxabi.h>
#include <dlfcn.h>

#include <exception>
#include <unordered_map>

using namespace Qt::StringLiterals;

namespace Mortar {

HandlerInfo::HandlerInfo() = default;
HandlerInfo::HandlerInfo(Internal::HandlerInfoData *data) : d(data) { }
HandlerInfo::HandlerInfo(const HandlerInfo &other) = default;
HandlerInfo::HandlerInfo(HandlerInfo &&other) noexcept = default;
HandlerInfo &HandlerInfo::operator=(const HandlerInfo &other) = default;
HandlerInfo &HandlerInfo::operator=(HandlerInfo &&other) noexcept = default;
HandlerInfo::~HandlerInfo() = default;

bool HandlerInfo::isValid() const
{
    return d && d->id.isValid();
}

HandlerId HandlerInfo::id() const
{
    return d ? d->id : HandlerId();
}

QString HandlerInfo::hook() const
{
    return d ? d->labels->hook : QString();
}

QString HandlerInfo::name() const
{
    return d ? d->labels->name : QString();
}

int HandlerInfo::weight() const
{
    return d ? d->labels->weight : 0;
}

QString HandlerInfo::owner() const
{
    return d ? d->labels->owner : QString();
}

QString HandlerInfo::source() const
{
    return d ? d->labels->source : QString();
}

std::chrono::milliseconds HandlerInfo::timeout() const
{
    return d ? d->timeout : std::chrono::milliseconds();
}

bool HandlerInfo::hasContext() const
{
    return d && d->hasContext;
}

int HandlerInfo::receiverCount() const
{
    return d ? d->receiverCount : -1;
}

QString HandlerResult::statusName(Status status)
{
    return Internal::traceStatusName(Internal::toTraceStatus(status)); // one list of the names
}

HookRun::HookRun() : d(new Internal::HookRunData) { }
HookRun::HookRun(Internal::HookRunData *data) : d(data) { }
HookRun::HookRun(const HookRun &other) = default;
HookRun::HookRun(HookRun &&other) noexcept = default;
HookRun &HookRun::operator=(const HookRun &other) = default;
HookRun &HookRun::operator=(HookRun &&other) noexcept = default;
HookRun::~HookRun() = default;

QString HookRun::hook() const
{
    return d->hook;
}

bool HookRun::ok() const
{
    return d->errorString.isEmpty() && !d->failed;
}

QString HookRun::errorString() const
{
    return d->errorString;
}

bool HookRun::defaultPrevented() const
{
    return d->defaultPrevented;
}

QString HookRun::preventedBy() const
{
    return d->preventedBy;
}

QVariantList HookRun::values() const
{
    QVariantList values;
    for (const auto &notable : d->notable) {
        if (notable.value.isValid())
            values.append(notable.value);
    }
    return values;
}

QList<HandlerResult> HookRun::failures() const
{
    QList<HandlerResult> failures;
    for (const auto &notable : d->notable) {
        if (notable.status == HandlerResult::Status::Failed
            || notable.status == HandlerResult::Status::TimedOut) {
            failures.append(d->resultOf(notable));
        }
    }
    return failures;
}

qsizetype HookRun::handlerCount() const
{
    return d->plan ? qsizetype(d->plan->steps.size()) : 0;
}

QList<HandlerResult> HookRun::results() const
{
    QList<HandlerResult> results;
    if (!d->plan)
        return results;
    const size_t count = d->plan->steps.size();
    results.reserve(qsizetype(count));
    auto notable = d->notable.cbegin();
    auto start = d->starts.cbegin();
    qint64 previousEnd = 0;
    for (size_t i = 0; i < count; ++i) {
        qint64 startNs = previousEnd;
        if (start != d->starts.cend() && start->first == i)
            startNs = (start++)->second;
        const bool timed = i < d->ends.size();
        if (timed)
            previousEnd = d->ends[i];
        if (notable != d->notable.cend() && size_t(notable->index) == i) {
            results.append(d->resultOf(*notable++));
            continue;
        }
        HandlerResult &result = results.emplace_back();
        result.handler = d->plan->info(i);
        if (timed) {
            result.startNs = startNs;
            result.durationNs = d->ends[i] - startNs;
        }
    }
    return results;
}

namespace Internal {

HandlerResult HookRunData::resultOf(const Notable &outcome) const
{
    HandlerResult result;
    result.handler = plan->info(size_t(outcome.index));
    result.status = outcome.status;
    result.error = outcome.error;
    result.startNs = outcome.startNs;
    result.durationNs = outcome.durationNs;
    result.value = outcome.value;
    return result;
}

App &appOf(HookContext &context)
{
    return context.app();
}

void setHandlerValue(HookContext &context, const QVariant &value)
{
    context.setValue(value);
}

void awaitFuture(HookContext &context, const QFuture<void> &future)
{
    auto deferral = std::make_shared<Deferral>(context.defer());
    // Runs in whichever thread finishes the future; Deferral is thread-safe. If the future is
    // canceled the continuation is dropped, and with it the deferral, which then fails.
    QFuture<void>(future).then(QtFuture::Launch::Sync, [deferral](QFuture<void> finished) {
        try {
            finished.waitForFinished();
            if (finished.isCanceled())
                deferral->fail(u"the future was canceled"_s);
            else
                deferral->complete();
        } catch (const std::exception &e) {
            deferral->fail(QString::fromLocal8Bit(e.what()));
        } catch (...) {
            deferral->fail(
                    u"the future failed with an exception not derived from std::exception"_s);
        }
    });
}

namespace {
QString demangle(const char *mangled)
{
    int status = 0;
    char *readable = abi::__cxa_demangle(mangled, nullptr, nullptr, &status);
    if (status != 0 || !readable)
        return QString::fromUtf8(mangled);
    QString result = QString::fromUtf8(readable);
    std::free(readable);
    return result;
}

/*! The symbol at exactly \a address, without its parameter list; empty if there is none (a
    static function, or a hidden symbol of a library). */
QString lookUpSymbolName(const void *address)
{
    Dl_info info{};
    if (!dladdr(address, &info) || !info.dli_sname || info.dli_saddr != address)
        return {};
    QString name = demangle(info.dli_sname);
    if (const auto paren = name.indexOf(u'('); paren > 0)
        name.truncate(paren);
    return name;
}

// Names are looked up once per callable (per thread, so without a lock): dladdr() and
// __cxa_demangle() cost microseconds, and registering many handlers of one callable type —
// one per document, per connection — must cost what a QObject::connect does (SPEC §11).
QString symbolName(const void *address)
{
    thread_local std::unordered_map<const void *, QString> cache;
    const auto [it, inserted] = cache.try_emplace(address);
    if (inserted)
        it->second = lookUpSymbolName(address);
    return it->second;
}

/*! The readable type of a callable, or empty if it is a lambda (or within one). */
QString typeNameOf(const char *mangled)
{
    thread_local std::unordered_map<const char *, QString> cache;
    const auto [it, inserted] = cache.try_emplace(mangled);
    if (inserted) {
        const QString type = demangle(mangled);
        if (!type.contains(u"lambda"_s) && !type.contains(u"::<"_s))
            it->second = type;
    }
    return it->second;
}
} // namespace

QString describeCallable(const CallableIdentity &identity, const QObject *context,
                         const QString &source)
{
    QString name;
    if (identity.functionAddress)
        name = symbolName(identity.functionAddress);
    if (name.isEmpty() && context)
        name = QString::fromUtf8(context->metaObject()->className());
    if (context && !context->objectName().isEmpty())
        name += u" (%1)"_s.arg(context->objectName());
    if (!name.isEmpty())
        return name;
    if (identity.functionAddress)
        return u"function at "_s + source;
    if (identity.typeName) {
        QString type = typeNameOf(identity.typeName);
        if (!type.isEmpty())
            return type;
        return u"lambda at "_s + source;
    }
    return u"handler at "_s + source;
}

} // namespace Internal

} // namespace Mortar
