// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include <mortar/log.h>

#include "log_p.h"
#include "trace_p.h"

#include <QMessageLogger>

using namespace Qt::StringLiterals;

namespace Mortar {

Log::Log(const QString &label, Trace *trace)
    : d(std::make_unique<Internal::LogPrivate>(label, trace))
{
}

Log::~Log() = default;

void Log::debug(const QString &message)
{
    log(Level::Debug, message);
}

void Log::info(const QString &message)
{
    log(Level::Info, message);
}

void Log::warning(const QString &message)
{
    log(Level::Warning, message);
}

void Log::error(const QString &message)
{
    log(Level::Error, message);
}

void Log::fatal(const QString &message)
{
    log(Level::Fatal, message);
}

static QtMsgType messageType(Log::Level level)
{
    switch (level) {
    case Log::Level::Debug: return QtDebugMsg;
    case Log::Level::Info: return QtInfoMsg;
    case Log::Level::Warning: return QtWarningMsg;
    case Log::Level::Error:
    case Log::Level::Fatal: return QtCriticalMsg; // never QtFatalMsg: that would abort
    }
    return QtCriticalMsg;
}

bool Log::isEnabled(Level level) const
{
    return d->m_category.isEnabled(messageType(level));
}

void Log::log(Level level, const QString &message)
{
    const bool shown = isEnabled(level);
    if (shown) {
        const QMessageLogger logger(nullptr, 0, nullptr, d->m_category.categoryName());
        switch (messageType(level)) {
        case QtDebugMsg: logger.debug("%ls", qUtf16Printable(message)); break;
        case QtInfoMsg: logger.info("%ls", qUtf16Printable(message)); break;
        case QtWarningMsg: logger.warning("%ls", qUtf16Printable(message)); break;
        default: logger.critical("%ls", qUtf16Printable(message)); break;
        }
    }
    // The trace keeps everything but debug messages nobody asked for, which a busy app may
    // write in loops.
    if (!shown && level == Level::Debug)
        return;

    TraceEvent event;
    event.kind = u"log"_s;
    event.message = message;
    event.extra.insert(u"level"_s, levelName(level));
    event.extra.insert(u"category"_s, QString::fromUtf8(d->m_categoryName));
    Internal::TracePrivate::get(*d->m_trace)->record(std::move(event));
}

const QLoggingCategory &Log::category() const
{
    return d->m_category;
}

QString Log::levelName(Level level)
{
    switch (level) {
    case Level::Debug: return u"debug"_s;
    case Level::Info: return u"info"_s;
    case Level::Warning: return u"warning"_s;
    case Level::Error: return u"error"_s;
    case Level::Fatal: return u"fatal"_s;
    }
    return {};
}

} // namespace Mortar
