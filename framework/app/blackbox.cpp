// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "blackbox_p.h"

#include "app_p.h"
#include "asyncsafe_p.h"
#include "hookregistry_p.h"
#include "loggingcategories_p.h"
#include "trace_p.h"

#include <mortar/log.h>

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>

#include <cerrno>
#include <csignal>
#include <cstring>

#include <pthread.h>
#include <signal.h>

using namespace Qt::StringLiterals;

namespace Mortar {

QString RunReport::endingName(Ending ending)
{
    switch (ending) {
    case Ending::None: return u"none"_s;
    case Ending::Clean: return u"clean"_s;
    case Ending::FailedHandlers: return u"failedHandlers"_s;
    case Ending::Killed: return u"killed"_s;
    case Ending::Crashed: return u"crashed"_s;
    case Ending::Vanished: return u"vanished"_s;
    }
    return {};
}

QString RunReport::summary() const
{
    if (clean())
        return {};
    QString line = u"the last run (pid %1, %2) "_s.arg(pid).arg(
            startedAt.toLocalTime().toString(u"yyyy-MM-dd HH:mm"_s));
    const QString signal =
            signalNumber ? QString::fromUtf8(::sigabbrev_np(signalNumber)) : QString();
    const QString seconds = closeDurationNs >= 0
            ? u"%1 s"_s.arg(QString::number(double(closeDurationNs) / 1e9, 'f',
                                            closeDurationNs < 10'000'000'000 ? 1 : 0))
            : QString();
    switch (ending) {
    case Ending::Killed:
        if (cause == u"watchdog"_s)
            line += u"was killed by the watchdog"_s;
        else
            line += u"was ended by a second SIG%1 during the close"_s.arg(signal);
        if (!seconds.isEmpty())
            line += u" after "_s + seconds;
        break;
    case Ending::Crashed: line += u"crashed with SIG%1"_s.arg(signal); break;
    case Ending::Vanished:
        line += u"ended without closing (SIGKILL, the OOM killer, a power loss or an exit without "
                "close)"_s;
        break;
    case Ending::FailedHandlers:
        line += u"closed with exit code %1 and failed cleanup: %2"_s.arg(exitCode.value_or(-1))
                        .arg(failedHandlers.join(u", "_s));
        return line;
    default: break;
    }
    if (handler.isEmpty()) {
        line += u"; no handler was running"_s;
        return line;
    }
    line += (ending == Ending::Vanished ? u" during '"_s : u" in '"_s) + handler + u"' ("_s;
    if (!owner.isEmpty()) {
        QString shown = owner;
        const qsizetype colon = shown.indexOf(u':');
        if (colon > 0)
            shown[colon] = u' ';
        line += shown + u", "_s;
    }
    line += hook + u')';
    return line;
}

} // namespace Mortar

namespace Mortar::Internal {

namespace {

/*! Written at once, by the recording thread: the outline of the run, which a reader of the
    black box needs most (the rest waits for the flusher thread). */
bool isFlushPoint(const QString &kind)
{
    return kind == u"state"_s || kind.startsWith(u"close."_s) || kind.startsWith(u"process."_s)
            || kind == u"postMortem"_s;
}

constexpr qsizetype FlushBytes = 64 * 1024;

bool isBad(const QString &status)
{
    return status == u"failed"_s || status == u"timedOut"_s;
}

/*! Another live process wrote it (a second instance): not a run that ended. */
bool isAlive(qint64 pid)
{
    return pid > 0 && pid != QCoreApplication::applicationPid()
            && (::kill(pid_t(pid), 0) == 0 || errno == EPERM);
}

} // namespace

BlackBox::BlackBox(Trace &trace, HookRegistry &hooks) : m_trace(trace), m_hooks(hooks) { }

void BlackBox::flusherLoop()
{
    // Signals go to the App's threads, never here (as for the watchdog).
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, nullptr);
    pthread_setname_np(pthread_self(), "mortar-blackbox");
    std::unique_lock locker(m_mutex);
    for (;;) {
        // Asleep while the app runs and nothing is buffered; a sample every 100 ms otherwise.
        // (Once more after sampling stopped, to end what it wrote as running.)
        if (!m_sampling.load(std::memory_order_relaxed) && !m_sampled)
            m_wake.wait(locker, [this] {
                return m_pending || m_stop || m_sampling.load(std::memory_order_relaxed);
            });
        if (m_stop)
            return;
        m_wake.wait_for(locker, std::chrono::milliseconds(100), [this] { return m_stop; });
        if (m_stop)
            return;
        m_pending = false;
        locker.unlock();
        sampleRunningHandler();
        flush();
        locker.lock();
        // A line appended while this one wrote may have found the buffer not yet empty.
        m_pending = m_pending || m_file.buffered() > 0;
    }
}

BlackBox::~BlackBox()
{
    finish();
}

QString BlackBox::directory(const QString &label)
{
    QString base;
#if QT_VERSION >= QT_VERSION_CHECK(6, 7, 0)
    base = QStandardPaths::writableLocation(QStandardPaths::GenericStateLocation);
#endif
    if (base.isEmpty()) {
        base = qEnvironmentVariable("XDG_STATE_HOME");
        if (base.isEmpty() || !QDir::isAbsolutePath(base))
            base = QDir::homePath() + u"/.local/state"_s;
    }
    return base + u'/' + label;
}

void BlackBox::start(AppPrivate *d)
{
    if (!d->options.blackBox)
        return;
    const QString dir = directory(d->options.label);
    const QString last = RunReport::lastRunFile(d->options.label);
    const QString previous = dir + u"/previous-run.jsonl"_s;

    if (QFileInfo::exists(last)) {
        RunReport report = read(last);
        if (isAlive(report.pid)) {
            // Another instance runs and writes it: its black box stays whole, this run goes
            // without one.
            qCDebug(lcApp, "No black box: process %lld of label %s keeps %s", report.pid,
                    qPrintable(d->options.label), qPrintable(last));
            return;
        }
        {
            if (QFile::exists(previous))
                QFile::remove(previous);
            QFile::rename(last, previous);
            report.path = previous;
            d->lastRun = report;
            if (!report.clean()) {
                d->log->warning(report.summary());
                TraceEvent event;
                event.kind = u"postMortem"_s;
                event.message = report.summary();
                event.code = report.exitCode;
                event.hook = report.hook;
                event.handler = report.handler;
                event.owner = report.owner;
                event.extra = {{u"ending"_s, RunReport::endingName(report.ending)},
                               {u"cause"_s, report.cause},
                               {u"pid"_s, report.pid},
                               {u"startedAt"_s, report.startedAt.toString(Qt::ISODateWithMs)},
                               {u"path"_s, previous}};
                if (report.signalNumber)
                    event.extra.insert(u"signalNumber"_s, report.signalNumber);
                d->trace->record(std::move(event));
            }
        }
    }

    std::unique_ptr<BlackBox> box(new BlackBox(*d->trace, *d->hooks));
    QString error;
    const qint64 originNs = monotonicNs() - d->trace->now();
    if (!QDir().mkpath(dir)
        || !QFile::setPermissions(dir, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner)
        || !box->m_file.open(last, originNs, &error)) {
        qCWarning(lcApp, "The black box %s cannot be written (%s): this run goes without it",
                  qPrintable(last),
                  error.isEmpty() ? "cannot create its directory" : qPrintable(error));
        return;
    }
    const QJsonObject header{
            {u"format"_s, u"mortar-trace"_s},
            {u"version"_s, 1},
            {u"label"_s, d->options.label},
            {u"pid"_s, QCoreApplication::applicationPid()},
            {u"startedAt"_s, QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)},
            {u"blackBox"_s, true},
    };
    box->m_file.append(QJsonDocument(header).toJson(QJsonDocument::Compact) + '\n', -1);
    // What was recorded before setup() (construction, the postMortem above), then live: by the
    // rule the box's line sink has for everything (lifecycle events and failures).
    box->listen(true, true);
    // The run phase is not recorded: a line sink makes the trace write every event as it
    // happens (no batching), which would cost the application's own hot hooks several times
    // their price. The outline of a crash or a watchdog end (hook, handler) comes from the final
    // line anyway. Listening again at the close, its state event is written here.
    connect(d->q, &App::stateChanged, box.get(), [raw = box.get()](App::State state) {
        if (state == App::State::Running) {
            raw->listen(false);
        } else if (state == App::State::Closing && !raw->m_listening) {
            TraceEvent event;
            event.kind = u"state"_s;
            event.seq = raw->m_trace.size() + raw->m_trace.droppedCount() - 1;
            event.t = raw->m_trace.now();
            event.thread = 1;
            event.extra = {{u"state"_s, u"Closing"_s}};
            raw->listen(true);
            raw->onEvent(event);
        }
    });
    box->flush();
    BlackBox *const raw = box.get();
    box->m_flusher = std::thread([raw] { raw->flusherLoop(); });
    d->blackBox = std::move(box);
}

void BlackBox::sampleRunningHandler()
{
    // Read as the watchdog reads it (forcedexit.cpp): a pointer published by the run loop,
    // entries kept alive while a plan may name them, their info immutable.
    const HookRegistryPrivate *const hooks = HookRegistryPrivate::get(m_hooks);
    const HandlerEntry *entry = hooks->m_runningEntry.load(std::memory_order_relaxed);
    // Not sampling (the run phase): what was written as running has ended — a SIGKILL in the
    // run phase must not be blamed on a slow setup handler.
    if (!m_sampling.load(std::memory_order_relaxed)
        || hooks->m_runningPhase.load(std::memory_order_relaxed) == HookRegistryPrivate::NotRunning)
        entry = nullptr;
    if (entry == m_sampled)
        return;
    const qint64 seq = m_trace.size() + m_trace.droppedCount() - 1; // the latest, for order
    if (m_sampled) {
        TraceEvent end = m_sampledBegin;
        end.kind = u"handler.end"_s;
        end.seq = seq;
        end.t = m_trace.now();
        end.weight.reset(); // named as the trace names an end: by hook and handler
        end.owner.clear();
        end.source.clear();
        m_file.append(end.toJsonLine(), seq);
    }
    m_sampled = entry;
    if (!entry)
        return;
    TraceEvent begin;
    begin.kind = u"handler.begin"_s;
    begin.seq = seq;
    begin.t = hooks->m_runningSinceNs.load(std::memory_order_relaxed);
    begin.thread = 1;
    begin.hook = entry->labels->hook;
    begin.handler = entry->labels->name;
    begin.weight = entry->labels->weight;
    begin.owner = entry->labels->owner;
    begin.source = entry->labels->source;
    begin.extra.insert(u"sampled"_s, true);
    m_sampledBegin = begin;
    m_file.append(begin.toJsonLine(), seq);
}

void BlackBox::listen(bool on, bool withBacklog)
{
    if (on == m_listening)
        return;
    m_listening = on;
    // The trace's line sink, not a receiver of eventRecorded: the lines are made from the
    // trace's compact records as the trace file's are, without a TraceEvent and a signal per
    // event (which made a close of 100 000 handlers 50 times as slow with the black box on).
    TracePrivate *const trace = TracePrivate::get(m_trace);
    // Lifecycle only: no handler events but failures, so hooks stay batched (see m_flusher).
    if (on) {
        trace->setLineSink([this](const QByteArray &lines, qint64 lastSeq,
                                  const QString *kind) { onLines(lines, lastSeq, kind); },
                           false, withBacklog);
    } else {
        trace->setLineSink({});
    }
    {
        const std::lock_guard locker(m_mutex);
        m_sampling.store(on, std::memory_order_relaxed);
    }
    m_wake.notify_one();
}

void BlackBox::onEvent(const TraceEvent &event)
{
    if (event.kind != u"log"_s)
        onLines(event.toJsonLine(), event.seq, &event.kind);
}

void BlackBox::onLines(const QByteArray &lines, qint64 lastSeq, const QString *kind)
{
    if (!m_file.isOpen())
        return;
    const bool wasEmpty = m_file.buffered() == 0;
    m_file.append(lines, lastSeq);
    if ((kind && isFlushPoint(*kind)) || m_file.buffered() > FlushBytes) {
        flush();
    } else if (wasEmpty) {
        const std::lock_guard locker(m_mutex);
        m_pending = true;
        m_wake.notify_one();
    }
}

void BlackBox::flush()
{
    if (!m_file.flush() && !m_failed.exchange(true))
        qCWarning(lcApp, "Writing the black box failed (%s): this run goes on without it",
                  std::strerror(errno));
}

void BlackBox::finish()
{
    listen(false);
    if (m_flusher.joinable()) {
        {
            const std::lock_guard locker(m_mutex);
            m_stop = true;
        }
        m_wake.notify_one();
        m_flusher.join();
    }
    m_file.close();
}

RunReport BlackBox::read(const QString &path)
{
    RunReport report;
    report.path = path;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return report;

    struct Open
    {
        QString hook, handler, owner;
    };
    QList<Open> open; // handlers begun and not ended, in begin order
    std::optional<Open> lastSeen;
    bool closing = false, closed = false, forced = false;
    qint64 closeBeginT = -1;
    while (!file.atEnd()) {
        const QByteArray line = file.readLine();
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(line, &parseError);
        if (!document.isObject())
            continue; // a line cut by a power loss
        const QJsonObject object = document.object();
        if (object.contains(u"format"_s)) {
            report.pid = object.value(u"pid"_s).toInteger();
            report.startedAt = QDateTime::fromString(object.value(u"startedAt"_s).toString(),
                                                     Qt::ISODateWithMs);
            continue;
        }
        const TraceEvent event = TraceEvent::fromJson(object);
        const auto ownerOf = [&](const QString &hook, const QString &handler) {
            for (auto it = open.crbegin(); it != open.crend(); ++it) {
                if (it->hook == hook && it->handler == handler)
                    return it->owner;
            }
            return lastSeen && lastSeen->handler == handler ? lastSeen->owner : QString();
        };
        if (event.kind == u"handler.begin"_s) {
            open.append({event.hook, event.handler, event.owner});
            lastSeen = open.constLast();
        } else if (event.kind == u"handler.end"_s) {
            for (qsizetype i = open.size() - 1; i >= 0; --i) {
                if (open.at(i).hook == event.hook && open.at(i).handler == event.handler) {
                    open.removeAt(i);
                    break;
                }
            }
            const QString failed = u"'%1' (%2, %3)"_s.arg(event.handler, event.hook, event.status);
            if (closing && isBad(event.status) && !report.failedHandlers.contains(failed))
                report.failedHandlers.append(failed);
        } else if (event.kind == u"deferral.end"_s) {
            const QString failed = u"'%1' (%2, %3)"_s.arg(event.handler, event.hook, event.status);
            if (closing && isBad(event.status) && !report.failedHandlers.contains(failed))
                report.failedHandlers.append(failed);
        } else if (event.kind == u"close.begin"_s) {
            closing = true;
            closeBeginT = event.t;
        } else if (event.kind == u"close.end"_s) {
            closed = true;
            report.exitCode = event.code;
            report.cause = event.extra.value(u"cause"_s).toString();
            if (event.durationNs)
                report.closeDurationNs = *event.durationNs;
        } else if (event.kind == u"process.exit"_s) {
            report.exitCode = event.code;
        } else if (event.kind == u"process.killed"_s || event.kind == u"process.crashed"_s) {
            forced = true;
            report.ending = event.kind == u"process.killed"_s ? RunReport::Ending::Killed
                                                              : RunReport::Ending::Crashed;
            report.cause = event.extra.value(u"cause"_s).toString();
            report.exitCode = event.code;
            report.signalNumber = event.extra.value(u"signalNumber"_s).toInt();
            report.hook = event.hook;
            report.handler = event.handler;
            report.owner = event.owner.isEmpty() ? ownerOf(event.hook, event.handler) : event.owner;
            if (closeBeginT >= 0)
                report.closeDurationNs = event.t - closeBeginT;
        }
    }
    if (report.pid == 0 && !lastSeen && !closing)
        return report; // not a black box
    if (forced)
        return report;
    if (!closed) {
        report.ending = RunReport::Ending::Vanished;
        report.cause = u"vanished"_s;
        if (!open.isEmpty()) {
            report.hook = open.constLast().hook;
            report.handler = open.constLast().handler;
            report.owner = open.constLast().owner;
        }
        return report;
    }
    report.ending = report.failedHandlers.isEmpty() ? RunReport::Ending::Clean
                                                    : RunReport::Ending::FailedHandlers;
    return report;
}

} // namespace Mortar::Internal

namespace Mortar {

QString RunReport::lastRunFile(const QString &label)
{
    return Internal::BlackBox::directory(label) + u"/last-run.jsonl"_s;
}

RunReport App::lastRun() const
{
    return d->lastRun;
}

} // namespace Mortar
