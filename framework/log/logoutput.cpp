// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "logoutput_p.h"

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
    bool quiet = false;
    QFile file;
};

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
    if (previous)
        previous(type, context, message); // Qt aborts after any handler for QtFatalMsg
}

} // namespace

LogOutput::~LogOutput()
{
    Output &out = output();
    {
        QMutexLocker locker(&out.mutex);
        out.quiet = false;
        out.file.close();
    }
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
    bool needed = false;
    {
        QMutexLocker locker(&out.mutex);
        needed = out.quiet || out.file.isOpen();
    }
    if (needed && !m_installed) {
        const QtMessageHandler previous = qInstallMessageHandler(handleMessage);
        QMutexLocker locker(&out.mutex);
        out.previous = previous;
        m_installed = true;
    } else if (!needed && m_installed) {
        QtMessageHandler previous = nullptr;
        {
            QMutexLocker locker(&out.mutex);
            previous = out.previous;
            out.previous = nullptr;
        }
        qInstallMessageHandler(previous);
        m_installed = false;
    }
}

void enableDebugLogging(const QString &label)
{
    QLoggingCategory::setFilterRules(u"%1.debug=true\nmortar.*.debug=true"_s.arg(label));
}

} // namespace Mortar::Internal
