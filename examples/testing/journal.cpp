// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "journal.h"

#include <mortar/emergencycleanup.h>

#include <QFile>

using namespace Qt::StringLiterals;

Journal::Journal(Mortar::App &app, const QString &path) : m_path(path)
{
    QFile file(path);
    if (file.open(QIODevice::WriteOnly))
        file.write("unsaved changes\n");
    // Whatever ends the process, the journal goes.
    Mortar::EmergencyCleanup::instance().add(path);
    app.hooks().add(u"pre_close"_s,
                    [path] {
                        QFile::remove(path);
                        Mortar::EmergencyCleanup::instance().remove(path);
                    },
                    {.weight = 10, .name = u"storage: remove journal"_s});
}
