// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "testplugin.h"

using namespace Qt::StringLiterals;

// In libmortar_test_elsewhere.so, which the loader cannot find (see CMakeLists.txt).
extern "C" void mortarTestElsewhere();

class MissingLibPlugin final : public QObject, public Mortar::Plugin
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID MORTAR_PLUGIN_IID FILE "missinglib.json")
    Q_INTERFACES(Mortar::Plugin)

public:
    void load(Mortar::App &app) override
    {
        mortarTestElsewhere();
        Q_UNUSED(app);
    }
};

#include "missinglib.moc"
