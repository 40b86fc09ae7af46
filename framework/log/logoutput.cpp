// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "logoutput_p.h"

#include "trace_p.h"

#include <mortar/trace.h>

#include <QDateTime>
#include <QFile>
#include <QLoggingCategory>
#include <QMutex>

using namespace Qt::StringLiterals;

namespace Mortar::Internal {

namespace {

// The message handler is a plain function, so what it needs lives here. Messages come from any
// thread; the mutex also orders lines in the file.
struct Output
{
    QMutex mutex;
    QtMessageHandler previous = nullptr;
    int users = 0; // LogOutputs that need the handler: installed once for all of them
    bool quiet = false;
    QFile file;

    // The trace the framework's own warnings go to (the most recent App's), and whose it is.
    // A mutex of its own: held while recording, so that the trace is not destroyed meanwhile;
    // never taken by a thread that holds the trace's lock (mortar.trace is not recorded).
    QMutex traceMutex;
    Trace *trace = nullptr;                // traceMutex
    const LogOutput *traceOwner = nullptr; // traceMutex
    QByteArray ownCategory;                // traceMutex; the App's own, which Log records itself
};

thread_local bool t_recording = false; // a message while recording one is not recorded

Output &output()
{
    static Output instance;
    return instance;
}

const char *levelName(QtMsgType type)
{
    switch (type) {
    case QtDebugMsg: return "debug";
    case QtInfoMsg: return "info";
    case QtWarningMsg: return "warning";
    case QtCriticalMsg: return "critical";
    case QtFatalMsg: return "fatal";
    }
    return "?";
}

/*! The framework's own warnings (mortar.*) as \c log events, so that the trace — and the
    inspector's Log tab — has them (spec §10.2). Not mortar.trace: those are about the trace,
    and come from inside it, holding its lock. */
void recordFrameworkMessage(QtMsgType type, const QMessageLogContext &context,
                            const QString &message)
{
    if (type == QtDebugMsg || type == QtInfoMsg || t_recording || !context.category)
        return;
    const QByteArrayView category(context.category);
    if (!(category == "mortar" || category.startsWith("mortar.")) || category == "mortar.trace")
        return;
    Output &out = output();
    QMutexLocker locker(&out.traceMutex);
    if (!out.trace || category == QByteArrayView(out.ownCategory))
        return;
    t_recording = true;
    TraceEvent event;
    event.kind = u"log"_s;
    event.message = message;
    event.extra.insert(u"level"_s,
                       type == QtWarningMsg            ? u"warning"_s
                               : type == QtCriticalMsg ? u"error"_s
                                                       : u"fatal"_s);
    event.extra.insert(u"category"_s, QString::fromUtf8(context.category));
    TracePrivate::get(*out.trace)->record(std::move(event));
    t_recording = false;
}

void handleMessage(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    Output &out = output();
    QtMessageHandler previous = nullptr;
    {
        QMutexLocker locker(&out.mutex);
        if (out.file.isOpen()) {
            // "2026-11-24T21:05:03.120 warning myapp: message"
            QByteArray line = QDateTime::currentDateTime().toString(Qt::ISODateWithMs).toUtf8();
            line += ' ';
            line += levelName(type);
            line += ' ';
            if (context.category && qstrcmp(context.category, "default") != 0) {
                line += context.category;
                line += ": ";
            }
            line += message.toUtf8();
            line += '\n';
            out.file.write(line); // unbuffered: a line is on disk even if the process dies next
        }
        if (!out.quiet)
            previous = out.previous;
    }
    recordFrameworkMessage(type, context, message);
    if (previous)
        previous(type, context, message); // Qt aborts after any handler for QtFatalMsg
}

} // namespace

LogOutput::~LogOutput()
{
    Output &out = output();
    {
        QMutexLocker locker(&out.traceMutex);
        if (out.traceOwner == this) {
            out.trace = nullptr;
            out.traceOwner = nullptr;
        }
    }
    {
        QMutexLocker locker(&out.mutex);
        out.quiet = false;
        out.file.close();
    }
    m_trace = false;
    update();
}

void LogOutput::setTrace(Trace *trace, const QString &ownCategory)
{
    Output &out = output();
    {
        QMutexLocker locker(&out.traceMutex);
        out.trace = trace;
        out.traceOwner = trace ? this : nullptr;
        out.ownCategory = ownCategory.toUtf8();
    }
    m_trace = trace != nullptr;
    update();
}

void LogOutput::setQuiet(bool quiet)
{
    {
        QMutexLocker locker(&output().mutex);
        output().quiet = quiet;
    }
    update();
}

Result LogOutput::openFile(const QString &path)
{
    Output &out = output();
    {
        QMutexLocker locker(&out.mutex);
        out.file.close();
        out.file.setFileName(path);
        if (!out.file.open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Text
                           | QIODevice::Unbuffered)) {
            const QString reason = out.file.errorString();
            out.file.setFileName(QString());
            return Result::failure(u"Unable to open the log file %1: %2"_s.arg(path, reason));
        }
    }
    update();
    return Result::success();
}

QString LogOutput::fileName() const
{
    QMutexLocker locker(&output().mutex);
    return output().file.isOpen() ? output().file.fileName() : QString();
}

void LogOutput::update()
{
    Output &out = output();
    QMutexLocker locker(&out.mutex);
    const bool needed = m_trace || out.quiet || out.file.isOpen();
    // Installed once for every LogOutput that needs it (several Apps may exist at once): a
    // second install would make the handler its own "previous", and call itself forever.
    if (needed && !m_installed) {
        m_installed = true;
        if (out.users++ == 0)
            out.previous = qInstallMessageHandler(handleMessage);
    } else if (!needed && m_installed) {
        m_installed = false;
        if (--out.users == 0) {
            qInstallMessageHandler(out.previous);
            out.previous = nullptr;
        }
    }
}

void enableDebugLogging(const QString &label)
{
    QLoggingCategory::setFilterRules(u"%1.debug=true\nmortar.*.debug=true"_s.arg(label));
}

} // namespace Mortar::Internal
