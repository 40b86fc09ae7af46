// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "leakcensus_p.h"

#include "app_p.h"
#include "loggingcategories_p.h"
#include "trace_p.h"

#include <QFile>
#include <QJsonObject>
#include <QThread>

#include <algorithm>

#include <dirent.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace Mortar::Internal {

namespace {

/*! The numeric entries of a /proc directory; \a skipOwn leaves out the descriptor the listing
    itself uses. */
QSet<int> listNumbers(const char *path, bool skipOwn)
{
    QSet<int> numbers;
    DIR *dir = ::opendir(path);
    if (!dir)
        return numbers;
    const int own = skipOwn ? ::dirfd(dir) : -1;
    while (const dirent *entry = ::readdir(dir)) {
        bool ok = false;
        const int number = QByteArray(entry->d_name).toInt(&ok);
        if (ok && number != own)
            numbers.insert(number);
    }
    ::closedir(dir);
    return numbers;
}

QString threadName(int tid)
{
    QFile comm(u"/proc/self/task/%1/comm"_s.arg(tid));
    if (!comm.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(comm.readAll()).trimmed();
}

QString fdTarget(int fd)
{
    char target[4096];
    const QByteArray link = "/proc/self/fd/" + QByteArray::number(fd);
    const ssize_t length = ::readlink(link.constData(), target, sizeof target - 1);
    return length > 0 ? QString::fromLocal8Bit(target, length) : QString();
}

} // namespace

void LeakCensus::snapshot()
{
    m_threads = listNumbers("/proc/self/task", false);
    m_fds = listNumbers("/proc/self/fd", true);
}

void LeakCensus::take(AppPrivate *d)
{
    if (m_taken || (m_threads.isEmpty() && m_fds.isEmpty()))
        return;
    m_taken = true;

    // The QThreads the plugins' census named already (Qt names a thread after its QThread's
    // objectName, or its class, cut to the OS's 15 bytes).
    QSet<QString> named;
    // Only those events: expanding the whole trace (every handler event of the close) cost a
    // close of 100 000 handlers 170 ms.
    for (const TraceEvent &event : TracePrivate::get(*d->trace)->fullEvents(u"leak.thread"_s, -1)) {
        const QString objectName = event.extra.value(u"objectName"_s).toString();
        named.insert(
                (objectName.isEmpty() ? event.extra.value(u"className"_s).toString() : objectName)
                        .left(15));
    }

    const auto leak = [&](const QString &kind, const QString &what, QJsonObject extra) {
        TraceEvent event;
        event.kind = kind;
        event.message = what;
        event.extra = std::move(extra);
        d->trace->record(std::move(event));
        qCWarning(lcApp).noquote() << u"Still alive after the close: %1 (%2)"_s.arg(what, kind);
    };

    const int ownTid = int(::gettid());
    // The framework's own (the watchdog, the inspection server) and Qt's idle pool threads,
    // which expire by themselves. Left out before the wait below: the watchdog's thread starts
    // with every close, and waiting for it cost every close 50 ms.
    const auto isExempt = [&](const QString &name) {
        return name.startsWith(u"mortar-"_s) || name == u"Thread (pooled)"_s
                || named.contains(name);
    };
    const auto newThreads = [&] {
        QList<int> tids = listNumbers("/proc/self/task", false).values();
        tids.removeIf([&](int tid) {
            return m_threads.contains(tid) || tid == ownTid || isExempt(threadName(tid));
        });
        std::sort(tids.begin(), tids.end());
        return tids;
    };
    // A thread that just finished (a QThread's wait() returns before the OS thread is gone)
    // or just started (it has the process's name until it gives itself one) gets a moment:
    // up to 50 ms, only when there is one.
    QList<int> threads = newThreads();
    for (int wait = 0; wait < 5 && !threads.isEmpty(); ++wait) {
        QThread::msleep(10);
        threads = newThreads();
    }
    for (const int tid : std::as_const(threads)) {
        const QString name = threadName(tid);
        if (name.isEmpty())
            continue; // it ended meanwhile
        if (isExempt(name))
            continue;
        leak(u"leak.thread"_s, u"thread '%1' (tid %2)"_s.arg(name).arg(tid),
             {{u"tid"_s, tid}, {u"name"_s, name}});
    }

    const QString traceFile = d->trace->fileName();
    const QString blackBox = d->blackBox ? RunReport::lastRunFile(d->options.label) : QString();
    QList<int> fds = listNumbers("/proc/self/fd", true).values();
    std::sort(fds.begin(), fds.end());
    for (const int fd : std::as_const(fds)) {
        if (m_fds.contains(fd))
            continue;
        const QString target = fdTarget(fd);
        if (target.isEmpty() || target == traceFile || target == blackBox
            || target == d->logOutput.fileName()
            || (d->inspection && target.startsWith(u"socket:"_s)))
            continue; // the framework's own
        leak(u"leak.fd"_s, u"file descriptor %1 (%2)"_s.arg(fd).arg(target),
             {{u"fd"_s, fd}, {u"target"_s, target}});
    }
}

} // namespace Mortar::Internal
