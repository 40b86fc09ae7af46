// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Internal to Mortar; not part of the API.
#pragma once

#include <mortar/log.h>

#include <QByteArray>
#include <QLoggingCategory>

#include <memory>

namespace Mortar::Internal {

class LogPrivate
{
public:
    LogPrivate(const QString &label, Trace *trace)
        : m_categoryName(label.toUtf8()),
          // Info and above by default; debug is enabled by QT_LOGGING_RULES (or --debug).
          m_category(m_categoryName.constData(), QtInfoMsg),
          m_trace(trace)
    {
    }

    /*! The App's log, which records into \a trace (Log's constructor is private). */
    static std::unique_ptr<Log> create(const QString &label, Trace *trace)
    {
        return std::unique_ptr<Log>(new Log(label, trace));
    }

    const QByteArray m_categoryName; // must outlive m_category, which keeps the pointer
    const QLoggingCategory m_category;
    Trace *const m_trace; // not owned
};

} // namespace Mortar::Internal
