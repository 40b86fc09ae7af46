// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include <mortar/app.h>

#include <QStringList>

#include <memory>

// Records, in order, every framework hook the App runs (one handler per hook). The record is
// shared with the handlers, since ~App() may run pre_close after the recorder is gone.
class HookRecorder
{
public:
    explicit HookRecorder(Mortar::App &app)
    {
        for (const QString &hook : app.hooks().names())
            app.hooks().add(hook, [ran = m_ran, hook] { ran->append(hook); }, {.weight = 1000});
    }
    int count(const QString &hook) const { return int(m_ran->count(hook)); }
    const QStringList &ran() const { return *m_ran; }

private:
    std::shared_ptr<QStringList> m_ran = std::make_shared<QStringList>();
};

// The close's cause, as recorded by its close.begin event.
inline QString closeCause(Mortar::App &app)
{
    const auto events = app.trace().events();
    for (const Mortar::TraceEvent &event : events) {
        if (event.kind == QLatin1String("close.begin"))
            return event.extra.value(QLatin1String("cause")).toString();
    }
    return {};
}
