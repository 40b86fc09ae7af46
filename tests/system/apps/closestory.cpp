// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// A close worth inspecting, for tst_inspector_cli: a quick handler, a failing one, a slow
// asynchronous one, and a plain Qt connection to App::preClose().
#include <mortar/app.h>

#include <QCoreApplication>
#include <QTimer>

#include <stdexcept>

using namespace Qt::StringLiterals;

int main(int argc, char *argv[])
{
    QCoreApplication qtApp(argc, argv);
    Mortar::App app({.label = u"closestory"_s});
    app.hooks().add(u"pre_close"_s, [] {}, {.weight = -10, .name = u"close database"_s});
    app.hooks().add(u"pre_close"_s,
                    [] { throw std::runtime_error("cache directory is read-only"); },
                    {.weight = 5, .name = u"remove cache"_s});
    app.hooks().add(u"pre_close"_s,
                    [](Mortar::HookContext &context) {
                        QTimer::singleShot(50,
                                           [deferral = std::make_shared<Mortar::Deferral>(
                                                    context.defer())] { deferral->complete(); });
                    },
                    {.weight = 10, .name = u"upload session"_s});
    app.hooks().add(u"post_close"_s, [] {}, {.name = u"remove pid file"_s});
    QObject::connect(&app, &Mortar::App::preClose, &app, [] {});
    return app.exec([] {});
}
